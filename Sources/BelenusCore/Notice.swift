import Foundation

/// The words of one notice; who gets it is decided by the store from the change (SPEC §7).
public struct Notice: Sendable {
    public var subject: String
    public var body: String
    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }
}
