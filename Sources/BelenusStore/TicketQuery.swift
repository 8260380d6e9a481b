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


extension Store {
    /// Up to this many matching texts, a search is ranked by bm25; past it, newest first.
    public static let rankedMatches = 2000
    /// A search newest first counts its tickets up to this many (or to the end of the page
    /// asked for); past it, the page says "more than".
    public static let countedMatches = 1000

    /// Filtered, newest first, `pageSize` a page (page 1 is the newest). Bodies are left empty.
    /// Every filter but `q` uses an index; `sla` compares ISO times, which sort as text.
    public func tickets(
        matching filter: TicketFilter, page: Int, pageSize: Int, now: Date, policy: SLAPolicy,
        rankedMatches: Int = Store.rankedMatches, countedMatches: Int = Store.countedMatches
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
        let pageNumber = max(1, page)
        return try read { db in
            guard !terms.isEmpty else {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets \(whereClause)", arguments: StatementArguments(arguments)) ?? 0
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(TicketRecords.summaryColumns) FROM tickets \(whereClause) ORDER BY number DESC LIMIT ? OFFSET ?
                    """, arguments: StatementArguments(arguments + [pageSize, (pageNumber - 1) * pageSize]))
                return TicketPage(total: total, tickets: rows.map(TicketRecords.ticket(from:)))
            }
            // The words, on the index, in the texts' title and body; a company's search also on its
            // `org` word, so that the index itself intersects the two (`TicketRecords.orgWord`).
            let words = "{title body} : (" + terms.map { "\"\($0)\"" }.joined(separator: " ") + ")"
            let match = filter.org.map { $0.isEmpty ? words : words + " AND org : " + TicketRecords.orgWord($0) } ?? words
            let shift = TicketRecords.searchShift
            let offset = (pageNumber - 1) * pageSize
            let texts = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ? LIMIT ?)",
                                         arguments: [match, rankedMatches + 1]) ?? 0
            // The page as ticket numbers, each with the row id of the text whose snippet is shown.
            var page: [(number: Int64, best: Int64)] = []
            var total = 0, exact = true
            if texts <= rankedMatches {
                // Few matching texts: each ticket's best text by bm25, best first.
                let hits = "SELECT rowid >> \(shift) AS ticket, min(rank) AS score, rowid AS best FROM ticket_fts WHERE ticket_fts MATCH ? GROUP BY 1"
                let found = (["number IN (SELECT rowid >> \(shift) FROM ticket_fts WHERE ticket_fts MATCH ?)"] + conditions).joined(separator: " AND ")
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets WHERE \(found)", arguments: StatementArguments([match] + arguments)) ?? 0
                page = try Row.fetchAll(db, sql: """
                    SELECT number, h.best FROM tickets JOIN (\(hits)) h ON h.ticket = tickets.number \(whereClause)
                    ORDER BY h.score, number DESC LIMIT ? OFFSET ?
                    """, arguments: StatementArguments([match] + arguments + [pageSize, offset])).map { ($0[0], $0[1]) }
            } else {
                // Many (a word of most tickets, where a rank says little): newest first, walked on
                // the index and stopped once the page and `countedMatches` tickets are found, so
                // the search costs the same at 1M tickets as at 10k (see performance.md). CROSS
                // JOIN keeps the index outside: its rows come newest first, a ticket's texts
                // together and its newest first, each ticket kept if it passes the other filters.
                let filters = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let walk = try Row.fetchCursor(db, sql: """
                    SELECT number, m.best FROM (SELECT rowid AS best FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid DESC) m
                    CROSS JOIN tickets ON number = m.best >> \(shift) \(filters) ORDER BY m.best DESC
                    """, arguments: StatementArguments([match] + arguments))
                var last: Int64 = -1
                while let row = try walk.next() {
                    let number: Int64 = row[0]
                    guard number != last else { continue }
                    last = number
                    if total >= max(countedMatches, offset + pageSize) {
                        exact = false
                        break
                    }
                    if total >= offset && total < offset + pageSize { page.append((number, row[1])) }
                    total += 1
                }
            }
            // Then the page's rows, in one query: reading every column while walking or sorting
            // cost 6 ms at 100k tickets.
            guard !page.isEmpty else { return TicketPage(total: total, totalIsExact: exact, tickets: []) }
            let position = Dictionary(uniqueKeysWithValues: page.enumerated().map { ($1.number, $0) })
            let tickets = try Row.fetchAll(db, sql: """
                SELECT \(TicketRecords.summaryColumns) FROM tickets WHERE number IN (\(page.map { String($0.number) }.joined(separator: ",")))
                """).map(TicketRecords.ticket(from:)).sorted { position[Int64($0.number.rawValue), default: 0] < position[Int64($1.number.rawValue), default: 0] }
            // The snippets on the index's rows between the page's first and last text: one seek
            // in the word's list, not one a row (at 100k tickets, "timbrado": 8.5 → 0.9 ms). The
            // title's snippet when the words are in it, else the body's (never the `org` word's).
            var snippets: [TicketNumber: String] = [:]
            let shown = page.map(\.best)
            let found = try Row.fetchCursor(db, sql: """
                SELECT rowid, snippet(ticket_fts, 0, char(2), char(3), '…', 16), snippet(ticket_fts, 1, char(2), char(3), '…', 16)
                FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (\(shown.map(String.init).joined(separator: ",")))
                """, arguments: [match, shown.min(), shown.max()])
            while let row = try found.next() {
                let title: String = row[1]
                snippets[TicketNumber(Int((row[0] as Int64) >> shift))] = title.utf8.contains(2) ? title : row[2]
            }
            return TicketPage(total: total, totalIsExact: exact, tickets: tickets, snippets: snippets)
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
