import BelenusCore
import Foundation
import GRDB

/// Accounts (SPEC §2): invitations and reset links, one's own password, and what an
/// administrator changes about people, with the audit log. The web administration and the CLI
/// call these same functions; every change and its audit line are one transaction.
extension Store {
    // MARK: - Links by mail

    /// Adds an account without a password and its invitation link (`tokenHash`: SHA-256 of the
    /// link's token, which only the mail holds).
    public func inviteUser(_ user: User, tokenHash: String, at now: Date, by admin: Administrator) throws {
        try write { db in
            try Self.insertUser(db, user, passwordHash: nil, at: now)
            try Self.insertLink(db, tokenHash: tokenHash, login: user.login, purpose: .invite, at: now)
            try Self.audit(db, admin, at: now, "user.invite", user.login.rawValue, [
                .init("name", "", user.name), .init("email", "", user.email), .init("role", "", user.role.rawValue),
                .init("org", "", user.org ?? ""),
            ])
        }
    }

    /// An administrator's "send a reset link": the account (active or not yet, any company), or
    /// a 400 naming `login`.
    public func adminResetLink(for login: Login, tokenHash: String, at now: Date, by admin: Administrator) throws -> User {
        try write { db in
            guard let user = try Self.fetchUser(db, login), !user.disabled else {
                throw FieldError(field: "login", message: "no active account '\(login)'", code: "unknown", values: [login.rawValue])
            }
            try Self.insertLink(db, tokenHash: tokenHash, login: login, purpose: user.hasPassword ? .reset : .invite, at: now)
            try Self.audit(db, admin, at: now, "user.reset", login.rawValue, [])
            return user
        }
    }

    /// "¿Olvidó su contraseña?": the active account with this address (a person of a company that
    /// is not disabled) gets a reset link, unless it already got `maxResetLinksPerHour` in the
    /// last hour. Nil, changing nothing, otherwise: the caller answers the same either way.
    public func forgottenPassword(email: String, tokenHash: String, at now: Date) throws -> User? {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT u.* FROM users u LEFT JOIN orgs o ON o.name = u.org
                WHERE lower(u.email) = lower(?) AND u.disabled = 0 AND COALESCE(o.disabled, 0) = 0
                """, arguments: [email.trimmingCharacters(in: .whitespaces)])
            else { return nil }
            let user = Self.user(from: row)
            let recent = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM account_links WHERE login = ? AND purpose = 'reset' AND created_at > ?
                """, arguments: [user.login.rawValue, Timestamp.iso(now - 3600)]) ?? 0
            guard recent < Self.maxResetLinksPerHour else { return nil }
            try Self.insertLink(db, tokenHash: tokenHash, login: user.login, purpose: .reset, at: now)
            return user
        }
    }

    /// SPEC §5: past three links an hour for one account, a request sends nothing.
    public static let maxResetLinksPerHour = 3

    /// The account a link opens and what for: nil when the link is unknown, used, expired, or
    /// its account is disabled.
    public func accountLink(tokenHash: String, at now: Date) throws -> (user: User, purpose: AccountLinkPurpose)? {
        try read { db in try Self.liveLink(db, tokenHash: tokenHash, at: now) }
    }

    /// Sets the password a link was sent for: the link is spent (with every other unused link of
    /// the account), and every session of the account ends. Nil, changing nothing, when the link
    /// no longer works.
    public func setPassword(byLink tokenHash: String, passwordHash: String, at now: Date) throws -> User? {
        try write { db in
            guard let (user, _) = try Self.liveLink(db, tokenHash: tokenHash, at: now) else { return nil }
            try db.execute(sql: "UPDATE account_links SET used_at = ? WHERE login = ? AND used_at IS NULL",
                           arguments: [Timestamp.iso(now), user.login.rawValue])
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE login = ?", arguments: [passwordHash, user.login.rawValue])
            try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [user.login.rawValue])
            return user
        }
    }

    /// *Mi cuenta*: a new password for `login`; its other sessions end, `keeping` goes on (with
    /// the password just typed).
    public func changePassword(of login: Login, to passwordHash: String, keeping tokenHash: String, at now: Date) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE login = ?", arguments: [passwordHash, login.rawValue])
            try db.execute(sql: "DELETE FROM sessions WHERE login = ? AND token_hash != ?", arguments: [login.rawValue, tokenHash])
            try db.execute(sql: "UPDATE sessions SET password_at = ? WHERE token_hash = ?", arguments: [Timestamp.iso(now), tokenHash])
        }
    }

    /// The session's person typed their password again (an administrator's change needs it recent).
    public func passwordEntered(session tokenHash: String, at now: Date) throws {
        try write { db in
            try db.execute(sql: "UPDATE sessions SET password_at = ? WHERE token_hash = ?", arguments: [Timestamp.iso(now), tokenHash])
        }
    }

    static func insertLink(_ db: Database, tokenHash: String, login: Login, purpose: AccountLinkPurpose, at now: Date) throws {
        // Links that ended a day ago say nothing any more: the table holds only recent ones.
        try db.execute(sql: "DELETE FROM account_links WHERE expires_at < ?", arguments: [Timestamp.iso(now - 86400)])
        try db.execute(
            sql: "INSERT INTO account_links (token_hash, login, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [tokenHash, login.rawValue, purpose.rawValue, Timestamp.iso(now), Timestamp.iso(now + purpose.lifetime)])
    }

    static func liveLink(_ db: Database, tokenHash: String, at now: Date) throws -> (user: User, purpose: AccountLinkPurpose)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT l.purpose, u.* FROM account_links l JOIN users u ON u.login = l.login LEFT JOIN orgs o ON o.name = u.org
            WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? AND u.disabled = 0 AND COALESCE(o.disabled, 0) = 0
            """, arguments: [tokenHash, Timestamp.iso(now)]),
              let purpose = AccountLinkPurpose(rawValue: row["purpose"])
        else { return nil }
        return (user(from: row), purpose)
    }

    // MARK: - People

    /// What an administrator may change about an account (nil: unchanged).
    public struct AccountEdit: Sendable {
        public var name: String?
        public var email: String?
        public var role: Role?
        /// The company of a client; `.some(nil)` for staff.
        public var org: String??
        public init(name: String? = nil, email: String? = nil, role: Role? = nil, org: String?? = nil) {
            self.name = name
            self.email = email
            self.role = role
            self.org = org
        }
    }

    /// Changes an account's name, address, role or company; the last active administrator
    /// keeps the role (409). Audited, old → new; nothing when nothing changes.
    public func editUser(_ login: Login, _ edit: AccountEdit, at now: Date, by admin: Administrator) throws -> User {
        try write { db in
            guard let old = try Self.fetchUser(db, login) else { throw FieldError.unknown("login", login.rawValue) }
            var new = old
            if let name = edit.name { new.name = try Self.cleanName(name, field: "name") }
            if let email = edit.email { new.email = try Self.cleanEmail(email) }
            if let role = edit.role { new.role = role }
            if let org = edit.org { new.org = org } else if new.role != .client { new.org = nil }
            try Self.checkCompany(db, new)
            if new.email.lowercased() != old.email.lowercased() { try Self.requireFreeEmail(db, new.email) }
            if old.role == .admin, new.role != .admin, !old.disabled { try Self.requireAnotherAdmin(db, besides: login) }
            let changes = [
                AuditEntry.Change("name", old.name, new.name), .init("email", old.email, new.email),
                .init("role", old.role.rawValue, new.role.rawValue), .init("org", old.org ?? "", new.org ?? ""),
            ].filter { $0.old != $0.new }
            guard !changes.isEmpty else { return old }
            try db.execute(sql: "UPDATE users SET name = ?, email = ?, role = ?, org = ? WHERE login = ?",
                           arguments: [new.name, new.email, new.role.rawValue, new.org, login.rawValue])
            // A new address has not bounced.
            if new.email.lowercased() != old.email.lowercased() {
                try db.execute(sql: "UPDATE users SET bouncing_at = NULL WHERE login = ?", arguments: [login.rawValue])
            }
            if new.role != old.role || new.org != old.org {
                try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [login.rawValue])
            }
            try Self.audit(db, admin, at: now, "user.edit", login.rawValue, changes)
            return new
        }
    }

    /// Enables or disables an account. A disabled account's sessions end at once; the last
    /// active administrator cannot be disabled (409). A technician's tickets that are not yet
    /// approved go to `handOverTo` (else the product's technician, else the least busy one),
    /// each with an event in its history. Returns the tickets that changed.
    @discardableResult
    public func setUserActive(
        _ login: Login, _ active: Bool, handOverTo: Login? = nil, at now: Date, by admin: Administrator, actor: Login? = nil
    ) throws -> [TicketNumber] {
        try write { db in
            guard let user = try Self.fetchUser(db, login) else { throw FieldError.unknown("login", login.rawValue) }
            guard user.disabled == active else { return [] }
            var touched: [TicketNumber] = []
            if active {
                try db.execute(sql: "UPDATE users SET disabled = 0 WHERE login = ?", arguments: [login.rawValue])
            } else {
                if user.role == .admin { try Self.requireAnotherAdmin(db, besides: login) }
                try db.execute(sql: "UPDATE users SET disabled = 1 WHERE login = ?", arguments: [login.rawValue])
                try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [login.rawValue])
                if user.role != .client {
                    touched = try Self.handOver(db, from: login, to: handOverTo, at: now, actor: actor ?? login)
                }
            }
            let verb = active ? "user.enable" : "user.disable"
            var changes = [AuditEntry.Change("active", String(!active), String(active))]
            if !touched.isEmpty {
                changes.append(.init("tickets", touched.map { "#\($0)" }.joined(separator: " "), handOverTo?.rawValue ?? ""))
            }
            try Self.audit(db, admin, at: now, verb, login.rawValue, changes)
            return touched
        }
    }

    /// The not-yet-approved tickets whose responsible or assignee is `tech` go to `to` (else,
    /// per ticket, the rule for new tickets: the product's technician, else the least busy).
    static func handOver(_ db: Database, from tech: Login, to: Login?, at now: Date, actor: Login) throws -> [TicketNumber] {
        if let to { guard try technicians(db).contains(to), to != tech else { throw FieldError.unknown("to", to.rawValue) } }
        let numbers = try Int.fetchAll(db, sql: """
            SELECT number FROM tickets WHERE status != 'approved' AND (responsible = ? OR assigned = ?) ORDER BY number
            """, arguments: [tech.rawValue, tech.rawValue])
        for number in numbers {
            guard let ticket = try fetchTicket(db, TicketNumber(number)) else { continue }
            let successor: Login
            if let to {
                successor = to
            } else if let own = try productTechnician(db, ticket.product), own != tech.rawValue, try technicians(db).contains(Login(own)) {
                successor = Login(own)
            } else if let least = try leastBusyTechnician(db) {
                successor = least
            } else {
                throw FieldError(field: "to", message: "no other technician can take the tickets", code: "no_technician")
            }
            try record(db, ticket.handOver(from: tech, to: successor, by: actor, at: now), replacingRevision: ticket.revision)
        }
        return numbers.map { TicketNumber($0) }
    }

    static func productTechnician(_ db: Database, _ product: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT responsible FROM products WHERE name = ?", arguments: [product])
    }

    static func requireAnotherAdmin(_ db: Database, besides login: Login) throws {
        let others = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND login != ?",
                                      arguments: [login.rawValue]) ?? 0
        guard others > 0 else {
            throw GatewayError(409, "'\(login)' is the last active administrator: name another first", field: "role", code: "last_admin")
        }
    }

    static func requireFreeEmail(_ db: Database, _ email: String) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE lower(email) = lower(?)", arguments: [email]) == true {
            throw FieldError(field: "email", message: "'\(email)' is another account's address", code: "taken", values: [email])
        }
    }

    // MARK: - The audit log

    static func audit(_ db: Database, _ admin: Administrator, at now: Date, _ action: String, _ subject: String,
                      _ changes: [AuditEntry.Change]) throws {
        let list = changes.map { [$0.field, $0.old, $0.new] }
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, address, action, subject, changes) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [Timestamp.iso(now), admin.name, admin.address, action, subject,
                        String(decoding: try JSONEncoder().encode(list), as: UTF8.self)])
    }

    /// The audit log, newest first.
    public func auditLog(limit: Int, offset: Int = 0) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?", arguments: [limit, offset]).map { row in
                let list = (try? JSONDecoder().decode([[String]].self, from: Data((row["changes"] as String).utf8))) ?? []
                return AuditEntry(
                    at: TicketRecords.date(row["at"]), actor: row["actor"], address: row["address"], action: row["action"],
                    subject: row["subject"], changes: list.filter { $0.count == 3 }.map { AuditEntry.Change($0[0], $0[1], $0[2]) })
            }
        }
    }

    public func auditCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0 }
    }
}
