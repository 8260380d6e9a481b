import BelenusCore
import Foundation
import GRDB

/// The keys that sign reply addresses (SPEC §7): the newest signs, and a retired one keeps
/// checking the addresses it signed for `replyKeyGrace` (mail is answered weeks later).
extension Store {
    /// How long a retired key still checks replies.
    public static let replyKeyGrace: TimeInterval = 90 * 86_400

    /// The key in force, made on first use.
    static func replyKey(_ db: Database, at now: Date) throws -> (id: Int64, secret: [UInt8]) {
        if let row = try Row.fetchOne(db, sql: "SELECT id, secret FROM reply_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1") {
            return (row[0], Array((row[1] as String).utf8))
        }
        return try newReplyKey(db, at: now)
    }

    private static func newReplyKey(_ db: Database, at now: Date) throws -> (id: Int64, secret: [UInt8]) {
        let secret = Secrets.newToken() + Secrets.newToken()
        try db.execute(sql: "INSERT INTO reply_keys (secret, created_at) VALUES (?, ?)", arguments: [secret, Timestamp.iso(now)])
        return (db.lastInsertedRowID, Array(secret.utf8))
    }

    /// Retires the key in force and makes a new one (`belenus mail rotate-key`); returns its id.
    /// Addresses signed before keep working for `replyKeyGrace`.
    @discardableResult
    public func rotateReplyKey(at now: Date) throws -> Int64 {
        try write { db in
            try db.execute(sql: "UPDATE reply_keys SET retired_at = ? WHERE retired_at IS NULL", arguments: [Timestamp.iso(now)])
            return try Self.newReplyKey(db, at: now).id
        }
    }

    /// A delivery report said mail to `addresses` failed: their accounts are marked (the first
    /// report's time is kept). Returns the logins marked.
    @discardableResult
    public func markBouncing(_ addresses: [String], at now: Date) throws -> [Login] {
        guard !addresses.isEmpty else { return [] }
        return try write { db in
            var marked: [Login] = []
            for address in addresses {
                let logins = try String.fetchAll(db, sql: "SELECT login FROM users WHERE lower(email) = lower(?)", arguments: [address])
                try db.execute(
                    sql: "UPDATE users SET bouncing_at = COALESCE(bouncing_at, ?) WHERE lower(email) = lower(?)",
                    arguments: [Timestamp.iso(now), address])
                marked += logins.map { Login($0) }
            }
            return marked
        }
    }

    /// Who a reply address's token names: the ticket and the person, when its MAC is right under
    /// a key in force or retired less than `replyKeyGrace` before `now`, and the person exists.
    public func replyTarget(token text: String, at now: Date) throws -> (ticket: TicketNumber, person: User)? {
        try read { db in
            let token = try ReplyToken.verified(text) { id in
                guard let row = try? Row.fetchOne(db, sql: "SELECT secret, retired_at FROM reply_keys WHERE id = ?", arguments: [id])
                else { return nil }
                if let retired = (row[1] as String?).flatMap(Timestamp.parse), now.timeIntervalSince(retired) > Self.replyKeyGrace {
                    return nil
                }
                return Array((row[0] as String).utf8)
            }
            guard let token,
                  let user = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE rowid = ?", arguments: [token.person])
                      .map(Self.user(from:))
            else { return nil }
            return (token.ticket, user)
        }
    }
}
