import BelenusCore
import Foundation
import GRDB

/// Open tickets of one product, in the hands of one technician, in one SLA state.
public struct OpenCount: Hashable, Sendable {
    public var product: String
    /// The technician in charge: the one it was assigned to, else the responsible; nil if neither.
    public var technician: Login?
    public var sla: SLAState
    public var count: Int
}

/// Tickets opened and closed (by a technician) in one week.
public struct WeekCount: Hashable, Sendable {
    /// 0 is the first week asked for.
    public var week: Int
    public var opened: Int
    public var closed: Int
}

extension Store {
    /// What the staff dashboard counts of the open tickets, grouped in SQL in the order of the
    /// `tickets_open` index (no sorting; at 100k tickets a third are open).
    public func openCounts(now: Date, policy: SLAPolicy) throws -> [OpenCount] {
        // The same rule as `SLAState(dueAt:pausedAt:at:policy:)`; ISO times sort as text.
        try read { db in
            var counts: [OpenCount] = []
            var index: [String: Int] = [:]  // assigned X over responsibles Y and Z: one technician
            let rows = try Row.fetchCursor(db, sql: """
                SELECT product, assigned, responsible,
                       SUM(paused_at IS NULL AND due_at <= :now) AS overdue,
                       SUM(paused_at IS NULL AND due_at > :now AND due_at <= :soon) AS due_soon,
                       SUM(paused_at IS NULL AND due_at > :soon) AS on_time,
                       SUM(paused_at IS NOT NULL) AS paused
                FROM tickets WHERE status = 'open' GROUP BY product, assigned, responsible
                """, arguments: ["now": Timestamp.iso(now), "soon": Timestamp.iso(now + policy.dueSoon)])
            while let row = try rows.next() {
                let technician = ((row["assigned"] as String?) ?? (row["responsible"] as String?)).map { Login($0) }
                for state in SLAState.allCases {
                    let n: Int = row[state.rawValue]
                    guard n > 0 else { continue }
                    let product: String = row["product"]
                    let key = "\(product)\u{0}\(technician?.rawValue ?? "")\u{0}\(state.rawValue)"
                    if let i = index[key] {
                        counts[i].count += n
                    } else {
                        index[key] = counts.count
                        counts.append(OpenCount(product: product, technician: technician, sla: state, count: n))
                    }
                }
            }
            return counts
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
