import BelenusCore
import Foundation
import GRDB



extension Store {
    /// At most this many tickets whose SLA state the clock moved are folded into the kept counts
    /// without writing; past it, the counts' clock is moved in a write transaction.
    public static let foldedSLACrossings = 500

    /// What the staff dashboard counts of the open tickets, kept by `SLACounts`: read, with the
    /// few tickets whose state the clock moved since folded in; written when there is no clock
    /// yet or too much to fold.
    public func openCounts(now: Date, folding: Int = Store.foldedSLACrossings) throws -> [OpenCount] {
        if let counts = try read({ db in try SLACounts.counts(db, now: now, persist: false, folding: folding) }) {
            return counts
        }
        return try write { db in try SLACounts.counts(db, now: now, persist: true) ?? [] }
    }

    /// The same counts grouped from every open ticket, as before they were kept: what tests
    /// check the kept ones against.
    public func recountedOpenCounts(now: Date) throws -> [OpenCount] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT product, \(SLACounts.technician(of: "")) AS technician, \(SLACounts.state(of: "")) AS state, count(*) AS count
                FROM tickets, (SELECT ? AS counted_at) c WHERE status = 'open' GROUP BY 1, 2, 3
                """, arguments: [Timestamp.iso(now)]).map(SLACounts.openCount(from:))
        }
    }

    /// Tickets opened, and close events, in each of `weeks` weeks from `start` (on the indexes of
    /// migration v4).
    public func weeklyCounts(from start: Date, weeks: Int) throws -> [WeekCount] {
        let from = Timestamp.iso(start), to = Timestamp.iso(start + Double(weeks) * 7 * 86_400)
        return try read { db in
            func counts(_ sql: String) throws -> [Int: Int] {
                var result: [Int: Int] = [:]
                for row in try Row.fetchAll(db, sql: sql, arguments: [from, from, to]) { result[row[0]] = row[1] }
                return result
            }
            let opened = try counts("""
                SELECT CAST((julianday(created_at) - julianday(?)) / 7 AS INTEGER), COUNT(*)
                FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY 1
                """)
            let closed = try counts("""
                SELECT CAST((julianday(at) - julianday(?)) / 7 AS INTEGER), COUNT(*)
                FROM events WHERE kind = 'close' AND at >= ? AND at < ? GROUP BY 1
                """)
            return (0..<weeks).map { WeekCount(week: $0, opened: opened[$0] ?? 0, closed: closed[$0] ?? 0) }
        }
    }
}
