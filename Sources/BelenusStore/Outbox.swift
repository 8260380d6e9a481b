import BelenusCore
import Foundation
import GRDB


/// A queued mail, as `belenus mail deliver` and the gateway hand it to a transport.
public struct OutboxMessage: Hashable, Sendable {
    public var id: Int64
    public var ticket: TicketNumber?
    /// The event kind that caused it; `created` is the first mail of a ticket's thread.
    public var eventKind: String
    public var createdAt: Date
    public var recipients: [String]
    public var subject: String
    public var body: String
    public var attempts: Int
    /// `Reply-To` of a notification to one person when replies by mail are on (SPEC §7).
    public var replyTo: String?

    public init(
        id: Int64, ticket: TicketNumber?, eventKind: String, createdAt: Date, recipients: [String], subject: String, body: String,
        attempts: Int, replyTo: String? = nil
    ) {
        self.id = id
        self.ticket = ticket
        self.eventKind = eventKind
        self.createdAt = createdAt
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.attempts = attempts
        self.replyTo = replyTo
    }
}

/// Who a change's mail goes to: the support team's addresses, and the people (with their row
/// id, which a reply address names).
struct MailRecipients {
    var team: [String] = []
    var people: [(id: Int64, email: String)] = []
    var isEmpty: Bool { team.isEmpty && people.isEmpty }
    var addresses: [String] { team + people.map(\.email) }
}

/// The outbox table: mail is queued in the transaction of the change that causes it and
/// delivered after the answer; a failure stays queued with a later `next_attempt_at`.
extension Store {
    /// The addresses of `MailAudience`'s rule (SPEC §7), each once; disabled people get none.
    static func recipients(
        _ db: Database, for ticket: Ticket, kind: TicketEvent.Kind, actor: Actor, supportTeam: [String]
    ) throws -> MailRecipients {
        let audience = MailAudience(of: kind, on: ticket, by: actor)
        var seen = Set<String>()
        var result = MailRecipients()
        for address in audience.supportTeam ? supportTeam : [] where seen.insert(address.lowercased()).inserted {
            result.team.append(address)
        }
        for login in audience.people {
            guard let row = try Row.fetchOne(db.cachedStatement(sql: personSQL), arguments: [login.rawValue]),
                  !(row[2] as Bool), seen.insert((row[1] as String).lowercased()).inserted
            else { continue }
            result.people.append((id: row[0], email: row[1]))
        }
        return result
    }

    static let personSQL = "SELECT rowid, email, disabled FROM users WHERE login = ?"

    static let queueSQL = """
        INSERT INTO outbox (ticket, created_at, recipients, subject, body, next_attempt_at, event_kind, reply_to)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    @discardableResult
    static func queue(
        _ db: Database, _ notice: Notice, to recipients: [String], ticket: TicketNumber, kind: TicketEvent.Kind, at now: Date,
        replyTo: String? = nil
    ) throws -> Int64? {
        guard !recipients.isEmpty else { return nil }
        let list = String(decoding: try JSONEncoder().encode(recipients), as: UTF8.self)
        try db.cachedStatement(sql: queueSQL).execute(
            arguments: [
                ticket.rawValue, Timestamp.iso(now), list, notice.subject, notice.body, Timestamp.iso(now + mailLease), kind.rawValue,
                replyTo,
            ])
        return db.lastInsertedRowID
    }

    /// How long a claimed message is left alone by other deliverers. A message queued by a
    /// request is born claimed for this long: the request delivers it right after its answer,
    /// without one more write to claim it; if that process dies first, `belenus mail deliver`
    /// sends it once the lease is over.
    public static let mailLease: TimeInterval = 600

    /// Messages due for delivery, oldest first. Each is leased for `lease` seconds so that two
    /// deliverers running at once do not send it twice.
    public func claimMail(at now: Date, lease: TimeInterval = Store.mailLease) throws -> [OutboxMessage] {
        try write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id",
                                        arguments: [Timestamp.iso(now)])
            for row in rows {
                try db.execute(
                    sql: "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", arguments: [Timestamp.iso(now + lease), row["id"] as Int64])
            }
            return rows.map(Self.outboxMessage)
        }
    }

    /// The messages of `ids` not sent yet: a request's own, claimed when they were queued.
    public func queuedMail(ids: [Int64]) throws -> [OutboxMessage] {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE sent_at IS NULL AND id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY id"
            )
            .map(Self.outboxMessage)
        }
    }

    static func outboxMessage(_ row: Row) -> OutboxMessage {
        let recipients = (try? JSONDecoder().decode([String].self, from: Data((row["recipients"] as String).utf8))) ?? []
        return OutboxMessage(
            id: row["id"], ticket: (row["ticket"] as Int?).map { TicketNumber($0) }, eventKind: row["event_kind"],
            createdAt: TicketRecords.date(row["created_at"]), recipients: recipients, subject: row["subject"],
            body: row["body"], attempts: row["attempts"], replyTo: row["reply_to"])
    }

    /// Unsynced: lost with the machine, the messages would be sent once more after their lease.
    public func markMailSent(_ ids: [Int64], at now: Date) throws {
        guard !ids.isEmpty else { return }
        try write(synced: false) { db in
            let statement = try db.cachedStatement(sql: "UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?")
            for id in ids { try statement.execute(arguments: [Timestamp.iso(now), id]) }
        }
    }

    /// Keeps the message queued and schedules the next try: 1, 2, 4… minutes, at most 6 hours.
    public func markMailFailed(_ id: Int64, error: String, attempts: Int, at now: Date) throws {
        let delay = min(6 * 3600, 60 * pow(2, Double(min(attempts, 20))))
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                arguments: [String(error.prefix(500)), Timestamp.iso(now + delay), id])
        }
    }

    /// (pending, sent) counts, for `belenus mail deliver` and the tests.
    public func mailCounts() throws -> (pending: Int, sent: Int) {
        try read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") ?? 0
            let sent = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL") ?? 0
            return (pending, sent)
        }
    }
}
