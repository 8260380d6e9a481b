import BelenusCore
import Foundation
import GRDB

/// The filters of a ticket list (SPEC §3, the seed's FILTRO); nil or empty means "any".
public struct TicketFilter: Hashable, Sendable {
    public var number: TicketNumber?
    public var providerRef: String?
    public var org: String?
    /// Who registered it.
    public var requester: Login?
    public var responsible: Login?
    public var assigned: Login?
    public var product: String?
    public var status: TicketStatus?
    public var waitingOn: WaitingOn?
    public var sla: SLAState?
    /// Words that must all appear in one text of the ticket: its title, its body, a comment or a
    /// solution (full text, without case or accents; the results ranked).
    public var words: [String] = []

    public init() {}
}

/// One page of a filtered list, newest first.
public struct TicketPage: Sendable {
    public var total: Int
    public var tickets: [Ticket]
    /// With words: where they were found in each ticket, the words between U+0002 and U+0003.
    public var snippets: [TicketNumber: String]

    public init(total: Int, tickets: [Ticket], snippets: [TicketNumber: String] = [:]) {
        self.total = total
        self.tickets = tickets
        self.snippets = snippets
    }
}

extension Store {
    /// Up to this many matching texts, a search is ranked by bm25; past it, newest first.
    public static let rankedMatches = 2000

    /// Filtered, newest first, `pageSize` a page (page 1 is the newest). Bodies are left empty.
    /// Every filter but `q` uses an index; `sla` compares ISO times, which sort as text.
    public func tickets(
        matching filter: TicketFilter, page: Int, pageSize: Int, now: Date, policy: SLAPolicy, rankedMatches: Int = Store.rankedMatches
    ) throws -> TicketPage {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        func add(_ sql: String, _ values: (any DatabaseValueConvertible)...) {
            conditions.append(sql)
            arguments += values
        }
        if let n = filter.number { add("number = ?", n.rawValue) }
        if let v = filter.providerRef, !v.isEmpty { add("provider_ref = ? COLLATE NOCASE", v) }
        if let v = filter.org, !v.isEmpty { add("org = ?", v) }
        if let v = filter.requester { add("requester = ?", v.rawValue) }
        if let v = filter.responsible { add("responsible = ?", v.rawValue) }
        if let v = filter.assigned { add("assigned = ?", v.rawValue) }
        if let v = filter.product, !v.isEmpty { add("product = ?", v) }
        if let v = filter.status { add("status = ?", v.rawValue) }
        if let v = filter.waitingOn { add("waiting_on = ?", v.rawValue) }
        if let sla = filter.sla {
            let nowText = Timestamp.iso(now), soon = Timestamp.iso(now + policy.dueSoon)
            switch sla {
            case .paused: add("status = 'open' AND paused_at IS NOT NULL")
            case .overdue: add("status = 'open' AND paused_at IS NULL AND due_at <= ?", nowText)
            case .dueSoon: add("status = 'open' AND paused_at IS NULL AND due_at > ? AND due_at <= ?", nowText, soon)
            case .onTime: add("status = 'open' AND paused_at IS NULL AND due_at > ?", soon)
            }
        }
        let terms = Self.searchTerms(filter.words.joined(separator: " ")).prefix(8)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let page = max(1, page)
        return try read { db in
            guard !terms.isEmpty else {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets \(whereClause)", arguments: StatementArguments(arguments)) ?? 0
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(TicketRecords.summaryColumns) FROM tickets \(whereClause) ORDER BY number DESC LIMIT ? OFFSET ?
                    """, arguments: StatementArguments(arguments + [pageSize, (page - 1) * pageSize]))
                return TicketPage(total: total, tickets: rows.map(TicketRecords.ticket(from:)))
            }
            // The words, on the index. Few matching texts: each ticket's best (bm25, its row id for
            // the snippet), best first. Many (a word of most tickets, where a rank says little):
            // newest first, the tickets read from the row ids alone, without ranking every text
            // (at 10k tickets, "timbrado" in 14,777 texts: 126 ms ranked; see performance.md).
            let match = terms.map { "\"\($0)\"" }.joined(separator: " ")
            let shift = TicketRecords.searchShift
            let matches = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?", arguments: [match]) ?? 0
            let ranked = matches <= rankedMatches
            let total: Int
            let rows: [Row]
            if ranked {
                let hits = "SELECT rowid >> \(shift) AS ticket, min(rank) AS score, rowid AS best FROM ticket_fts WHERE ticket_fts MATCH ? GROUP BY 1"
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets JOIN (\(hits)) h ON h.ticket = tickets.number \(whereClause)",
                                         arguments: StatementArguments([match] + arguments)) ?? 0
                rows = try Row.fetchAll(db, sql: """
                    SELECT \(TicketRecords.summaryColumns), h.best FROM tickets JOIN (\(hits)) h ON h.ticket = tickets.number \(whereClause)
                    ORDER BY h.score, number DESC LIMIT ? OFFSET ?
                    """, arguments: StatementArguments([match] + arguments + [pageSize, (page - 1) * pageSize]))
            } else {
                // `IN`, not a join: the tickets are walked newest first on their index and each
                // looked up in the matches (at 100k tickets, "timbrado": 18 ms against 49).
                let found = (["number IN (SELECT rowid >> \(shift) FROM ticket_fts WHERE ticket_fts MATCH ?)"] + conditions).joined(separator: " AND ")
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets WHERE \(found)", arguments: StatementArguments([match] + arguments)) ?? 0
                rows = try Row.fetchAll(db, sql: """
                    SELECT \(TicketRecords.summaryColumns) FROM tickets WHERE \(found) ORDER BY number DESC LIMIT ? OFFSET ?
                    """, arguments: StatementArguments([match] + arguments + [pageSize, (page - 1) * pageSize]))
            }
            let tickets = rows.map(TicketRecords.ticket(from:))
            var snippets: [TicketNumber: String] = [:]
            let snippet = try db.cachedStatement(sql: """
                SELECT snippet(ticket_fts, -1, char(2), char(3), '…', 16) FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid = ?
                """)
            // Unranked, the snippet is of the ticket's newest matching text.
            let newest = try db.cachedStatement(sql: "SELECT max(rowid) FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid >= ? AND rowid < ?")
            for (ticket, row) in zip(tickets, rows) {
                let first = Int64(ticket.number.rawValue) << shift
                let best: Int64? = ranked ? row["best"] : try Int64.fetchOne(newest, arguments: [match, first, first + (1 << shift)])
                guard let best else { continue }
                snippets[ticket.number] = try String.fetchOne(snippet, arguments: [match, best])
            }
            return TicketPage(total: total, tickets: tickets, snippets: snippets)
        }
    }

    // MARK: - Attachments

    public func attachment(_ id: Int64) throws -> Attachment? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM attachments WHERE id = ?", arguments: [id]).map(TicketRecords.attachment(from:))
        }
    }

    /// The hashes of every stored file some row names.
    public func attachmentHashes() throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM attachments")) }
    }

    /// True while some row still points at the file with this hash.
    public func attachmentReferenced(sha256: String) throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", arguments: [sha256]) == true }
    }
}
