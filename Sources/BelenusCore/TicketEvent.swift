import Foundation

/// One entry of a ticket's follow-up (*seguimiento*): who did what and when.
public struct TicketEvent: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case created, comment, close, reopen, approve, assign, update, publish
    }

    /// One field that an `update` or `assign` changed, for the history.
    public struct FieldChange: Hashable, Codable, Sendable {
        public let field: String
        public let from: String?
        public let to: String?
        public init(field: String, from: String?, to: String?) {
            self.field = field
            self.from = from
            self.to = to
        }
    }

    public var kind: Kind
    public var actor: Login
    public var at: Date
    /// Markdown: the comment, the solution, the reason to reopen; empty for others.
    public var body: String
    public var changes: [FieldChange]

    public init(kind: Kind, actor: Login, at: Date, body: String = "", changes: [FieldChange] = []) {
        self.kind = kind
        self.actor = actor
        self.at = at
        self.body = body
        self.changes = changes
    }
}
