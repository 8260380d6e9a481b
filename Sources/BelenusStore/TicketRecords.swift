import BelenusCore
import Foundation
import GRDB

/// A file to record with a change; its bytes are already at `var/attachments/<sha256>`.
public struct NewAttachment: Hashable, Sendable {
    public var name: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public init(name: String, contentType: String, size: Int, sha256: String) {
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

/// How a change is announced by mail, which the mail module decides (`MailPlan`): inside the
/// change's transaction the store asks it for the words (a new ticket only gets its number and
/// page token there) and the support team's addresses (SPEC §7), and tells it the outbox rows it
/// queued, for delivery after the answer.
public protocol ChangeMail: AnyObject {
    var supportTeam: [String] { get }
    /// `[mail] reply_to` (SPEC §7): with an address, each person's notification is a mail of its
    /// own whose `Reply-To` carries a signed token, and says that answering adds a comment;
    /// empty, one mail to everyone, no-reply.
    var replyTo: String { get }
    /// The words of `change`; `pageToken` is the ticket's (for `ticket_pages = "link"`);
    /// `replies`: whether this mail invites a reply.
    func notice(for change: TicketChange, pageToken: String?, replies: Bool) -> Notice
    func queued(_ id: Int64)
}

/// Row ⇄ value mapping for the ticket tables; times are ISO 8601 text (see `Timestamp`).
enum TicketRecords {
    static let columns = """
        number, title, product, version, body, org, requester, created_at, responsible, assigned,
        due_at, waiting_on, paused_at, provider_ref, status, revision, due_soon_at, calendar
        """
    /// The same, with an empty body: for lists.
    static let summaryColumns = """
        number, title, product, version, '' AS body, org, requester, created_at, responsible, assigned,
        due_at, waiting_on, paused_at, provider_ref, status, revision, due_soon_at, calendar
        """

    /// A row of `columns` or `summaryColumns`, read by position: by name, GRDB lowercases and
    /// compares every column name for every value (2 % of a full build's CPU).
    static func ticket(from row: Row) -> Ticket {
        Ticket(
            number: TicketNumber(row[0] as Int), title: row[1], product: row[2],
            version: row[3], body: row[4], org: row[5], requester: Login(row[6] as String),
            createdAt: date(row[7]), responsible: (row[8] as String?).map { Login($0) },
            assigned: (row[9] as String?).map { Login($0) }, dueAt: date(row[10]), dueSoonAt: date(row[16]), calendar: row[17],
            waitingOn: WaitingOn(rawValue: row[11]) ?? .support,
            pausedAt: (row[12] as String?).flatMap { Timestamp.parse($0) },
            providerRef: row[13], status: TicketStatus(rawValue: row[14]) ?? .open,
            revision: row[15])
    }

    static func arguments(_ t: Ticket) -> StatementArguments {
        [t.number.rawValue, t.title, t.product, t.version, t.body, t.org, t.requester.rawValue,
         Timestamp.iso(t.createdAt), t.responsible?.rawValue, t.assigned?.rawValue, Timestamp.iso(t.dueAt),
         t.waitingOn.rawValue, t.pausedAt.map(Timestamp.iso), t.providerRef, t.status.rawValue, t.revision,
         Timestamp.iso(t.dueSoonAt), t.calendar]
    }

    /// A new ticket, and (unless `indexed` is false) its words in the search index.
    static func insert(_ db: Database, _ ticket: Ticket, indexed: Bool = true) throws {
        try db.cachedStatement(sql: "INSERT INTO tickets (\(columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
            .execute(arguments: arguments(ticket))
        if indexed { try index(db, [SearchText(ticket)]) }
    }

    static let insertEventSQL = "INSERT INTO events (ticket, at, actor, kind, body, changes) VALUES (?,?,?,?,?,?)"
    static let lastTextSQL = "SELECT max(id) FROM event_texts WHERE id > ? AND id < ?"
    static let eventTextSQL = "INSERT INTO event_texts (id, event) VALUES (?, ?)"
    static let indexEventSQL =
        "INSERT INTO ticket_fts (rowid, title, body, org) SELECT ?, '', ?, \(orgWordSQL) FROM tickets WHERE number = ?"

    /// A new history entry; one with a text is its ticket's `textNumber`-th (by default, the one
    /// after the last: `event_texts`, `SearchTexts`) and, unless `indexed` is false, in the
    /// search index.
    @discardableResult
    static func insert(_ db: Database, _ event: TicketEvent, ticket: TicketNumber, indexed: Bool = true, textNumber: Int64? = nil) throws
        -> Int64
    {
        let changes =
            event.changes.isEmpty ? "[]" : String(decoding: (try? JSONEncoder().encode(event.changes)) ?? Data("[]".utf8), as: UTF8.self)
        try db.cachedStatement(sql: insertEventSQL).execute(arguments: [
            ticket.rawValue, Timestamp.iso(event.at), event.actor.rawValue, event.kind.rawValue,
            event.body, changes,
        ])
        let id = db.lastInsertedRowID
        if !event.body.isEmpty {  // a comment, a solution, a reason: found by the ticket's search
            let first = Int64(ticket.rawValue) << searchShift
            let rowid = try textNumber.map { first | $0 }
                ?? (Int64.fetchOne(db.cachedStatement(sql: lastTextSQL), arguments: [first, first + (1 << searchShift)]) ?? first) + 1
            try db.cachedStatement(sql: eventTextSQL).execute(arguments: [rowid, id])
            if indexed { try db.cachedStatement(sql: indexEventSQL).execute(arguments: [rowid, event.body, ticket.rawValue]) }
        }
        return id
    }

    /// The columns `event(from:)` reads, in its order.
    static let eventColumns = "id, ticket, at, actor, kind, body, changes"

    /// A row of `eventColumns`, by position.
    static func event(from row: Row) -> StoredEvent {
        let json: String = row[6]
        let changes = json == "[]" ? [] : (try? JSONDecoder().decode([TicketEvent.FieldChange].self, from: Data(json.utf8))) ?? []
        return StoredEvent(id: row[0], event: TicketEvent(
            kind: TicketEvent.Kind(rawValue: row[4]) ?? .comment, actor: Login(row[3] as String),
            at: date(row[2]), body: row[5], changes: changes))
    }

    static func attachment(from row: Row) -> Attachment {
        Attachment(
            id: row["id"], ticket: TicketNumber(row["ticket"] as Int), event: row["event"], name: row["name"],
            contentType: row["content_type"], size: row["size"], sha256: row["sha256"])
    }

    static func date(_ text: String) -> Date { Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0) }

    /// The search index's row ids are `number << searchShift | n`: a ticket's texts are
    /// neighbours, and a match names its ticket by its row id alone (schema v6).
    static let searchShift: Int64 = 20

    /// The one word of the search index's `org` column (schema v7): "o" and the company's name
    /// in hexadecimal UTF-8, so that no name is cut into words or folded into another's.
    /// `orgWordSQL` is the same word written by SQLite from a row's `org` (in capitals, which the
    /// tokenizer folds).
    static func orgWord(_ org: String) -> String { "o" + Hex.string(org.utf8) }
    static let orgWordSQL = "'o' || hex(tickets.org)"

    /// One row of the search index: a ticket's title and body (n = 0) or its n-th text.
    struct SearchText {
        var rowid: Int64
        var title: String
        var body: String
        var org: String

        init(_ ticket: Ticket) {
            self.init(ticket.number, 0, title: ticket.title, body: ticket.body, org: ticket.org)
        }

        init(_ ticket: TicketNumber, _ n: Int64, title: String = "", body: String, org: String) {
            rowid = Int64(ticket.rawValue) << searchShift | n
            self.title = title
            self.body = body
            self.org = org
        }
    }

    /// Writes `texts` to the search index, in row-id order, each by a one-row `INSERT … VALUES`.
    ///
    /// FTS5 keeps a transaction's new words in memory and writes them out as a segment of its
    /// index when a row id comes that is not above the last, and at every statement savepoint:
    /// SQLite opens one for each later statement of the transaction that may abort halfway (an
    /// `INSERT … SELECT`, a table with triggers, such as `tickets`). An import that indexed each
    /// ticket as it wrote it made one segment per ticket and spent most of its time merging them;
    /// it writes its batch's texts last, through here.
    static func index(_ db: Database, _ texts: [SearchText]) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO ticket_fts (rowid, title, body, org) VALUES (?, ?, ?, ?)")
        for text in texts.sorted(by: { $0.rowid < $1.rowid }) {
            try statement.execute(arguments: [text.rowid, text.title, text.body, orgWord(text.org)])
        }
    }
}
