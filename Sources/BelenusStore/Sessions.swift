import BelenusCore
import Foundation
import GRDB

/// A logged-in person's session as the gateway sees it.
public struct Session: Sendable {
    public var user: User
    /// SHA-256 (hex) of the CSRF token; the token itself is only in the `belenus_csrf` cookie.
    public var csrfHash: String
    public var expiresAt: Date
    /// When the person last typed their password in this session (at login, or again for an
    /// administrator's change).
    public var passwordAt: Date
}

/// Sessions and the failed-login throttle. Tokens arrive here already hashed: the database
/// never holds a cookie's value.
extension Store {
    public func createSession(tokenHash: String, csrfHash: String, login: Login, at now: Date, lifetime: TimeInterval) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [Timestamp.iso(now)])
            try db.execute(
                sql: "INSERT INTO sessions (token_hash, login, csrf_hash, created_at, expires_at, password_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [tokenHash, login.rawValue, csrfHash, Timestamp.iso(now), Timestamp.iso(now + lifetime), Timestamp.iso(now)])
        }
    }

    /// The live session with this token hash, of a user who is not disabled; nil otherwise.
    public func session(tokenHash: String, at now: Date) throws -> Session? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.csrf_hash, s.expires_at, COALESCE(s.password_at, s.created_at) AS password_at, u.*
                FROM sessions s JOIN users u ON u.login = s.login
                WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0
                """, arguments: [tokenHash, Timestamp.iso(now)])
            else { return nil }
            return Session(user: Self.user(from: row), csrfHash: row["csrf_hash"], expiresAt: TicketRecords.date(row["expires_at"]),
                           passwordAt: TicketRecords.date(row["password_at"]))
        }
    }

    public func deleteSession(tokenHash: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    /// The password hash of an active account, nil for an unknown, disabled or password-less one.
    public func passwordHash(of login: Login) throws -> (user: User, hash: String)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT u.* FROM users u LEFT JOIN orgs o ON o.name = u.org
                WHERE u.login = ? AND u.disabled = 0 AND COALESCE(o.disabled, 0) = 0
                """, arguments: [login.rawValue]),
                  let hash = row["password_hash"] as String?
            else { return nil }
            return (Self.user(from: row), hash)
        }
    }

    // MARK: - Throttle

    /// Counts one login attempt against each key, before its password is checked, and says
    /// whether it may go on: false when any key already has `limit` attempts in the window that
    /// started less than `window` ago (then nothing is counted). One `IMMEDIATE` transaction, so
    /// simultaneous attempts queue here and at most `limit` of them reach the password check.
    /// Rows whose window has ended are deleted first: the table holds only the last `window`.
    /// A key is a hash (`LoginThrottle.key`), never the typed text.
    public func beginLoginAttempt(_ keys: [(key: String, limit: Int)], at now: Date, window: TimeInterval) throws -> Bool {
        let windowStart = Timestamp.iso(now - window)
        return try write { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE window_start <= ?", arguments: [windowStart])
            for (key, limit) in keys {
                let failures = try Int.fetchOne(db, sql: "SELECT failures FROM login_failures WHERE key = ?", arguments: [key]) ?? 0
                if failures >= limit { return false }
            }
            for (key, _) in keys {
                try db.execute(sql: """
                    INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, ?)
                    ON CONFLICT (key) DO UPDATE SET failures = failures + 1
                    """, arguments: [key, Timestamp.iso(now)])
            }
            return true
        }
    }

    /// After a right password: the account's attempts are forgotten, and this one no longer
    /// counts against its address (an office behind one address logs in all day).
    public func loginSucceeded(account: String, address: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE key = ?", arguments: [account])
            try db.execute(sql: "DELETE FROM login_failures WHERE key = ? AND failures <= 1", arguments: [address])
            try db.execute(sql: "UPDATE login_failures SET failures = failures - 1 WHERE key = ?", arguments: [address])
        }
    }
}
