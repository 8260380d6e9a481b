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
    /// Every filter but `q` uses an index; `sla` compares ISO times, which sort as text. With
    /// words, one of two strategies finds the page: `rankedPage` for few matching texts,
    /// `newestPage` for many.
    public func tickets(
        matching filter: TicketFilter, page: Int, pageSize: Int, now: Date,
        rankedMatches: Int = Store.rankedMatches, countedMatches: Int = Store.countedMatches
    ) throws -> TicketPage {
        let conditions = TicketConditions(filter, now: now)
        let terms = Self.searchTerms(filter.words.joined(separator: " ")).prefix(8)
        let offset = (max(1, page) - 1) * pageSize
        return try read { db in
            guard !terms.isEmpty else {
                let total =
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets \(conditions.whereClause)", arguments: conditions.arguments)
                    ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(TicketRecords.summaryColumns) FROM tickets \(conditions.whereClause) ORDER BY number DESC LIMIT ? OFFSET ?
                        """, arguments: conditions.arguments + [pageSize, offset])
                return TicketPage(total: total, tickets: rows.map(TicketRecords.ticket(from:)))
            }
            // The words, on the index, in the texts' title and body; a company's search also on its
            // `org` word, so that the index itself intersects the two (`TicketRecords.orgWord`).
            let words = "{title body} : (" + terms.map { "\"\($0)\"" }.joined(separator: " ") + ")"
            let match = filter.org.map { $0.isEmpty ? words : words + " AND org : " + TicketRecords.orgWord($0) } ?? words
            let texts = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ? LIMIT ?)",
                                         arguments: [match, rankedMatches + 1]) ?? 0
            let found = texts <= rankedMatches
                ? try Self.rankedPage(db, match: match, conditions, offset: offset, pageSize: pageSize)
                : try Self.newestPage(db, match: match, conditions, offset: offset, pageSize: pageSize, countedMatches: countedMatches)
            guard !found.page.isEmpty else { return TicketPage(total: found.total, totalIsExact: found.exact, tickets: []) }
            return TicketPage(total: found.total, totalIsExact: found.exact, tickets: try Self.summaries(db, found.page),
                              snippets: try Self.snippets(db, match: match, found.page))
        }
    }

    /// A page of a search: ticket numbers, each with the row id of the text whose snippet is
    /// shown; how many tickets match, and whether that count is whole.
    typealias SearchPage = (page: [(number: Int64, best: Int64)], total: Int, exact: Bool)

    /// Few matching texts: each ticket's best text by bm25, best first.
    static func rankedPage(_ db: Database, match: String, _ conditions: TicketConditions, offset: Int, pageSize: Int) throws -> SearchPage {
        let shift = TicketRecords.searchShift
        let hits =
            "SELECT rowid >> \(shift) AS ticket, min(rank) AS score, rowid AS best FROM ticket_fts WHERE ticket_fts MATCH ? GROUP BY 1"
        let found = (["number IN (SELECT rowid >> \(shift) FROM ticket_fts WHERE ticket_fts MATCH ?)"] + conditions.list).joined(
            separator: " AND ")
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets WHERE \(found)", arguments: [match] + conditions.arguments) ?? 0
        let page: [(number: Int64, best: Int64)] = try Row.fetchAll(db, sql: """
            SELECT number, h.best FROM tickets JOIN (\(hits)) h ON h.ticket = tickets.number \(conditions.whereClause)
            ORDER BY h.score, number DESC LIMIT ? OFFSET ?
            """, arguments: [match] + conditions.arguments + [pageSize, offset]).map { ($0[0], $0[1]) }
        return (page, total, true)
    }

    /// Many matching texts (a word of most tickets, where a rank says little): newest first,
    /// walked on the index and stopped once the page and `countedMatches` tickets are found, so
    /// the search costs the same at 1M tickets as at 10k (see performance.md). CROSS JOIN keeps
    /// the index outside: its rows come newest first, a ticket's texts together and its newest
    /// first, each ticket kept if it passes the other filters.
    static func newestPage(
        _ db: Database, match: String, _ conditions: TicketConditions, offset: Int, pageSize: Int, countedMatches: Int
    ) throws -> SearchPage {
        let shift = TicketRecords.searchShift
        let walk = try Row.fetchCursor(db, sql: """
            SELECT number, m.best FROM (SELECT rowid AS best FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid DESC) m
            CROSS JOIN tickets ON number = m.best >> \(shift) \(conditions.whereClause) ORDER BY m.best DESC
            """, arguments: [match] + conditions.arguments)
        var page: [(number: Int64, best: Int64)] = []
        var total = 0, last: Int64 = -1
        while let row = try walk.next() {
            let number: Int64 = row[0]
            guard number != last else { continue }
            last = number
            if total >= max(countedMatches, offset + pageSize) { return (page, total, false) }
            if total >= offset && total < offset + pageSize { page.append((number, row[1])) }
            total += 1
        }
        return (page, total, true)
    }

    /// The page's rows, in one query, in the page's order: reading every column while walking
    /// or sorting cost 6 ms at 100k tickets.
    static func summaries(_ db: Database, _ page: [(number: Int64, best: Int64)]) throws -> [Ticket] {
        let position = Dictionary(uniqueKeysWithValues: page.enumerated().map { ($1.number, $0) })
        return try Row.fetchAll(
            db,
            sql: """
                SELECT \(TicketRecords.summaryColumns) FROM tickets
                WHERE number IN (\(page.map { String($0.number) }.joined(separator: ",")))
                """
        ).map(TicketRecords.ticket(from:)).sorted {
            position[Int64($0.number.rawValue), default: 0] < position[Int64($1.number.rawValue), default: 0]
        }
    }

    /// The snippets on the index's rows between the page's first and last text: one seek in the
    /// word's list, not one a row (at 100k tickets, "timbrado": 8.5 → 0.9 ms). The title's
    /// snippet when the words are in it, else the body's (never the `org` word's).
    static func snippets(_ db: Database, match: String, _ page: [(number: Int64, best: Int64)]) throws -> [TicketNumber: String] {
        let shift = TicketRecords.searchShift
        var snippets: [TicketNumber: String] = [:]
        let shown = page.map(\.best)
        let found = try Row.fetchCursor(
            db,
            sql: """
                SELECT rowid, snippet(ticket_fts, 0, char(2), char(3), '…', 16), snippet(ticket_fts, 1, char(2), char(3), '…', 16)
                FROM ticket_fts
                WHERE ticket_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (\(shown.map(String.init).joined(separator: ",")))
                """, arguments: [match, shown.min(), shown.max()])
        while let row = try found.next() {
            let title: String = row[1]
            snippets[TicketNumber(Int((row[0] as Int64) >> shift))] = title.utf8.contains(2) ? title : row[2]
        }
        return snippets
    }
}

/// A list's filters as SQL conditions on `tickets` (every one on an index), with their values.
struct TicketConditions {
    private(set) var list: [String] = []
    private(set) var arguments: StatementArguments = []

    init(_ filter: TicketFilter, now: Date) {
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
            let nowText = Timestamp.iso(now)
            switch sla {
            case .paused: add("status = 'open' AND paused_at IS NOT NULL")
            case .overdue: add("status = 'open' AND paused_at IS NULL AND due_at <= ?", nowText)
            case .dueSoon: add("status = 'open' AND paused_at IS NULL AND due_at > ? AND due_soon_at <= ?", nowText, nowText)
            case .onTime: add("status = 'open' AND paused_at IS NULL AND due_soon_at > ?", nowText)
            }
        }
    }

    private mutating func add(_ sql: String, _ values: (any DatabaseValueConvertible)...) {
        list.append(sql)
        arguments += StatementArguments(values)
    }

    /// "WHERE a AND b", or nothing.
    var whereClause: String { list.isEmpty ? "" : "WHERE " + list.joined(separator: " AND ") }
}

extension Store {
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
