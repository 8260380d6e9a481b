import Foundation

/// A ticket's number: 1, 2, 3… per site.
public struct TicketNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ value: Int) { self.rawValue = value }
    public var description: String { String(rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A user's login name, as typed at the login form.
public struct Login: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The longest login, in UTF-8 bytes: a longer one is refused before anything is stored.
    public static let maxBytes = 100
}

/// The URL-safe name of a knowledge-base article: lower-case ASCII letters, digits and dashes.
public struct Slug: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Folds accents, lower-cases, and turns every run of other characters into one dash.
    /// Returns nil when nothing is left ("¡¿?!").
    public init?(making text: String) {
        var out = ""
        var pendingDash = false
        // NFD: "é" is "e" + U+0301, so the letter stays and the accent goes.
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let lowered = Unicode.Scalar(scalar.value < 128 ? UInt8(scalar.value).asciiLowercased : 0)
            if (97...122).contains(lowered.value) || (48...57).contains(lowered.value) {
                if pendingDash, !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(lowered)
            } else if scalar.properties.generalCategory != .nonspacingMark {
                pendingDash = true
            }
        }
        guard !out.isEmpty else { return nil }
        self.rawValue = String(out.prefix(80))
    }

    /// Addresses under `/kb/` that are pages of their own (`kb/all/`, *ver todo*) or the
    /// gateway's (`kb/search`): no article takes them.
    public static let reserved: Set<String> = ["all", "search", "feed"]

    public var isReserved: Bool { Self.reserved.contains(rawValue) }

    /// True for a name that `init?(making:)` would leave as it is.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 80 && text.first != "-" && text.last != "-"
            && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 { (65...90).contains(self) ? self + 32 : self }
}
