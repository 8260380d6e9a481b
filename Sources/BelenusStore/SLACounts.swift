import BelenusCore
import Foundation
import GRDB

/// The dashboard's counts of open tickets by product, technician and SLA state, kept rather
/// than recounted (schema v8): at 1M tickets a third are open, and grouping them all took
/// 171 ms a request.
///
/// `sla_counts` holds the counts as of the instant in `sla_clock` (`counted_at`). Triggers on
/// `tickets` move a ticket's one out of its old cell and into its new one in the same
/// transaction as any change, each state taken at that instant, whatever wrote the row (a
/// request, `belenus import`, a test's SQL). Moving the clock to now touches only the running
/// tickets whose deadline or due-soon instant (`due_soon_at`, stored since v13: business time
/// has no fixed distance to the deadline) fell between the two instants, found on the partial
/// indexes `tickets_due_open` and `tickets_due_soon_open`. Without a clock (a new database, a
/// clock set back) the cells are counted again from the tickets.
enum SLACounts {
    /// The state of the row `row` (`NEW.`, `OLD.` or `` for the table) at the clock `c`: the
    /// rule of `SLAState(dueAt:dueSoonAt:pausedAt:at:)`; ISO times sort as text. The triggers of
    /// migration v13 were written with it: changing it needs a migration that rewrites them.
    static func state(of row: String) -> String {
        """
        CASE WHEN \(row)paused_at IS NOT NULL THEN 'paused' WHEN \(row)due_at <= c.counted_at THEN 'overdue' \
        WHEN \(row)due_soon_at <= c.counted_at THEN 'due_soon' ELSE 'on_time' END
        """
    }

    /// The rule before v13, when due-soon was a fixed time before the deadline (`c.soon_at`):
    /// what migration v8 wrote its triggers with, kept so that v8 still runs as it did.
    static func stateBeforeV13(of row: String) -> String {
        """
        CASE WHEN \(row)paused_at IS NOT NULL THEN 'paused' WHEN \(row)due_at <= c.counted_at THEN 'overdue' \
        WHEN \(row)due_at <= c.soon_at THEN 'due_soon' ELSE 'on_time' END
        """
    }

    static func technician(of row: String) -> String { "COALESCE(\(row)assigned, \(row)responsible, '')" }

    /// One more in the cell of `row` (an open ticket) at the clock, when `condition` holds;
    /// nothing without a clock.
    static func add(_ row: String, when condition: String = "true", state: (String) -> String = state(of:)) -> String {
        """
        INSERT INTO sla_counts (product, technician, state, count)
                SELECT \(row)product, \(technician(of: row)), \(state(row)), 1 FROM sla_clock c WHERE \(condition)
                ON CONFLICT DO UPDATE SET count = count + 1;
        """
    }

    static func remove(_ row: String, when condition: String = "true", state: (String) -> String = state(of:)) -> String {
        """
        UPDATE sla_counts SET count = count - 1 WHERE product = \(row)product AND technician = \(technician(of: row))
                AND state = (SELECT \(state(row)) FROM sla_clock c) AND \(condition);
        """
    }

    /// Migration v8.
    static let schema = """
        CREATE TABLE sla_clock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            counted_at TEXT NOT NULL, soon_at TEXT NOT NULL, due_soon REAL NOT NULL
        );
        CREATE TABLE sla_counts (
            product TEXT NOT NULL, technician TEXT NOT NULL, state TEXT NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (product, technician, state)
        ) WITHOUT ROWID;
        CREATE INDEX tickets_due_open ON tickets(due_at) WHERE status = 'open' AND paused_at IS NULL;
        \(triggers(columns: "product, assigned, responsible, status, paused_at, due_at", state: stateBeforeV13(of:)))
        """

    /// Migration v13: the triggers again with the rule of `state(of:)`, the due-soon instants'
    /// index, and no clock (the counts are made again at the next read).
    static let dueSoonSchema = """
        DROP TRIGGER sla_counts_insert;
        DROP TRIGGER sla_counts_update;
        DROP TRIGGER sla_counts_delete;
        \(triggers(columns: "product, assigned, responsible, status, paused_at, due_at, due_soon_at", state: state(of:)))
        CREATE INDEX tickets_due_soon_open ON tickets(due_soon_at) WHERE status = 'open' AND paused_at IS NULL;
        DELETE FROM sla_clock;
        DELETE FROM sla_counts;
        """

    static func triggers(columns: String, state: @escaping (String) -> String) -> String {
        """
        CREATE TRIGGER sla_counts_insert AFTER INSERT ON tickets WHEN NEW.status = 'open' BEGIN
            \(add("NEW.", state: state))
        END;
        CREATE TRIGGER sla_counts_update AFTER UPDATE OF \(columns) ON tickets BEGIN
            \(remove("OLD.", when: "OLD.status = 'open'", state: state))
            \(add("NEW.", when: "NEW.status = 'open'", state: state))
        END;
        CREATE TRIGGER sla_counts_delete AFTER DELETE ON tickets WHEN OLD.status = 'open' BEGIN
            \(remove("OLD.", state: state))
        END;
        """
    }

    /// The counts at `now`; nil when they can only be had by writing (no clock or one that
    /// does not fit, or more crossings than `folding`) and `persist` is false.
    static func counts(_ db: Database, now: Date, persist: Bool, folding: Int = 0) throws -> [OpenCount]? {
        let to = Timestamp.iso(now)
        let clock = try String.fetchOne(db, sql: "SELECT counted_at FROM sla_clock")
        guard let from = clock, from <= to else {
            guard persist else { return nil }
            // `soon_at` and `due_soon` are what v8's clock kept; since v13 they are unused.
            try db.execute(sql: """
                DELETE FROM sla_counts;
                DELETE FROM sla_clock;
                INSERT INTO sla_clock (id, counted_at, soon_at, due_soon) VALUES (1, ?, ?, 0);
                INSERT INTO sla_counts (product, technician, state, count)
                    SELECT product, \(technician(of: "")), \(state(of: "")), count(*) FROM tickets, sla_clock c
                    WHERE status = 'open' GROUP BY 1, 2, 3;
                """, arguments: [to, to])
            return try read(db)
        }
        let crossings = try Row.fetchAll(
            db, sql: Self.crossings(columns: "product, \(technician(of: "")) AS technician, due_at, due_soon_at"),
            arguments: Self.crossingArguments(from: from, to: to))
        guard persist || crossings.count <= folding else { return nil }
        func stateAt(_ due: String, _ soon: String, _ clock: String) -> SLAState {
            due <= clock ? .overdue : soon <= clock ? .dueSoon : .onTime
        }
        var moves: [Key: Int] = [:]
        for row in crossings {
            let due: String = row["due_at"], soon: String = row["due_soon_at"]
            let product: String = row["product"], technician: String = row["technician"]
            let (old, new) = (stateAt(due, soon, from), stateAt(due, soon, to))
            guard old != new else { continue }
            moves[Key(product: product, technician: technician, state: old), default: 0] -= 1
            moves[Key(product: product, technician: technician, state: new), default: 0] += 1
        }
        guard persist else {
            var counts = try read(db)
            for (key, n) in moves where n != 0 {
                if let i = counts.firstIndex(where: { key.names($0) }) {
                    counts[i].count += n
                } else {
                    counts.append(OpenCount(product: key.product, technician: key.login, sla: key.state, count: n))
                }
            }
            return counts.filter { $0.count > 0 }
        }
        let move = try db.cachedStatement(sql: """
            INSERT INTO sla_counts (product, technician, state, count) VALUES (?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET count = count + excluded.count
            """)
        for (key, n) in moves where n != 0 {
            try move.execute(arguments: [key.product, key.technician, key.state.rawValue, n])
        }
        try db.execute(sql: "UPDATE sla_clock SET counted_at = ?, soon_at = ?", arguments: [to, to])
        return try read(db)
    }

    /// `columns` of the open, running tickets whose deadline or due-soon instant falls after one
    /// clock and up to another (`crossingArguments`): those whose SLA state the clock moved.
    static func crossings(columns: String) -> String {
        """
        SELECT \(columns) FROM tickets INDEXED BY tickets_due_open
        WHERE status = 'open' AND paused_at IS NULL AND due_at > ? AND due_at <= ?
        UNION ALL
        SELECT \(columns) FROM tickets INDEXED BY tickets_due_soon_open
        WHERE status = 'open' AND paused_at IS NULL AND due_soon_at > ? AND due_soon_at <= ? AND NOT (due_at > ? AND due_at <= ?)
        """
    }

    static func crossingArguments(from: String, to: String) -> StatementArguments {
        [from, to, from, to, from, to]
    }

    /// The stored cells that hold tickets.
    static func read(_ db: Database) throws -> [OpenCount] {
        try Row.fetchAll(db, sql: "SELECT product, technician, state, count FROM sla_counts WHERE count > 0").map(openCount(from:))
    }

    /// A row of product, technician ('' for none), state and count.
    static func openCount(from row: Row) -> OpenCount {
        let technician: String = row["technician"]
        return OpenCount(product: row["product"], technician: technician.isEmpty ? nil : Login(technician),
                         sla: SLAState(rawValue: row["state"]) ?? .onTime, count: row["count"])
    }

    struct Key: Hashable {
        var product: String
        var technician: String
        var state: SLAState
        var login: Login? { technician.isEmpty ? nil : Login(technician) }
        func names(_ count: OpenCount) -> Bool {
            count.product == product && count.technician == login && count.sla == state
        }
    }
}
