import Foundation

/// An IANA time zone by the name it was given and is stored under. Foundation's `TimeZone` says
/// "GMT" for "UTC": a calendar stored as "UTC" reads, shows and is stored again as "UTC".
public struct IANAZone: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let timeZone: TimeZone

    /// Nil when the system does not know `name`.
    public init?(_ name: String) {
        guard let timeZone = TimeZone(identifier: name) else { return nil }
        self.name = name
        self.timeZone = timeZone
    }

    public init(_ timeZone: TimeZone) {
        name = timeZone.identifier
        self.timeZone = timeZone
    }

    public var description: String { name }
}
