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

    /// Whether the message `messageID` (`MailMessage`'s ids: `belenus.tN.mID.TAG@domain`, or
    /// `belenus.tN.TAG@domain` for a ticket's first mail) was queued here for `address`: a
    /// delivery report marks an address only then, not for a report anyone could make up.
    public func sentMail(_ messageID: String, to address: String) throws -> Bool {
        let parts = (messageID.split(separator: "@").first ?? "").split(separator: ".")
        guard parts.count >= 3, parts[0] == "belenus", parts[1].first == "t", let ticket = Int(parts[1].dropFirst()) else { return false }
        let row: Int64? = parts.count >= 4 && parts[2].first == "m" ? Int64(parts[2].dropFirst()) : nil
        let lists = try read { db in
            if let row {
                return try String.fetchAll(db, sql: "SELECT recipients FROM outbox WHERE id = ? AND ticket = ?", arguments: [row, ticket])
            }
            return try String.fetchAll(
                db, sql: "SELECT recipients FROM outbox WHERE ticket = ? AND event_kind = 'created'", arguments: [ticket])
        }
        let wanted = Array(address.utf8)
        return lists.contains { list in
            ((try? JSONDecoder().decode([String].self, from: Data(list.utf8))) ?? []).contains { recipient in
                let lower = Array(recipient.utf8).map { (65...90).contains($0) ? $0 + 32 : $0 }
                return lower == wanted
            }
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
