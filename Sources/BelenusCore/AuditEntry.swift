import Foundation

/// One line of the audit log (SPEC §2): an administrator's change, in the browser or with the
/// CLI, with the old and new value of each field it changed; never a password or a token.
public struct AuditEntry: Hashable, Sendable {
    public struct Change: Hashable, Sendable {
        public var field: String
        public var old: String
        public var new: String
        public init(_ field: String, _ old: String, _ new: String) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    public var at: Date
    /// Who: a login, or `cli:UNIXUSER` for the CLI.
    public var actor: String
    /// From where: the request's address; empty for the CLI.
    public var address: String
    /// What, as `noun.verb`: `user.invite`, `user.edit`, `org.disable`, `product.retire`…
    public var action: String
    /// The account, company or product it was done to.
    public var subject: String
    public var changes: [Change]

    public init(at: Date, actor: String, address: String, action: String, subject: String, changes: [Change]) {
        self.at = at
        self.actor = actor
        self.address = address
        self.action = action
        self.subject = subject
        self.changes = changes
    }
}

/// Who makes an administrator's change, for the audit log.
public struct Administrator: Hashable, Sendable {
    public var name: String
    public var address: String
    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }

    /// Someone at the server's shell: `cli:UNIXUSER`.
    public static func shell(user: String) -> Administrator { Administrator(name: "cli:\(user)", address: "") }
}

/// Invitation and reset links (SPEC §2): what each is for, and how long it lives.
public enum AccountLinkPurpose: String, Sendable {
    case invite
    case reset

    public var lifetime: TimeInterval {
        switch self {
        case .invite: 7 * 24 * 3600
        case .reset: 60 * 60
        }
    }
}
