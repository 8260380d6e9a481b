import BelenusCore
import Foundation
import GRDB

/// What changed since the last build, so that a build reads only that (schema v10): triggers on
/// `tickets` note the number of every ticket inserted or updated, whatever wrote it, in the
/// change's transaction; and the running tickets whose SLA state the clock moved are found on the
/// partial index `tickets_due_open`.
extension Store {
    /// The notes so far: the highest one (to forget up to it once their pages are written) and
    /// the tickets they name.
    public func changedTickets() throws -> (mark: Int64, numbers: [TicketNumber]) {
        try read { db in
            let mark = try Self.changedTicketsMark(db)
            let numbers = try Int.fetchAll(db, sql: "SELECT DISTINCT number FROM changed_tickets WHERE seq <= ?", arguments: [mark])
            return (mark, numbers.map { TicketNumber($0) })
        }
    }

    /// The highest note so far: what a build forgets up to once it has written the pages.
    public func changedTicketsMark() throws -> Int64 { try read(Self.changedTicketsMark) }

    static func changedTicketsMark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(max(seq), 0) FROM changed_tickets") ?? 0
    }

    /// Forgets the notes up to `mark`: their pages are written. Notes made since stay for the
    /// next build.
    public func forgetChangedTickets(upTo mark: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM changed_tickets WHERE seq <= ?", arguments: [mark]) }
    }

    /// The open, running tickets whose SLA state changed after `from` and up to `to`: their
    /// due-soon instant or deadline fell in between.
    public func slaCrossings(after from: Date, upTo to: Date) throws -> [TicketNumber] {
        let arguments = SLACounts.crossingArguments(from: Timestamp.iso(from), to: Timestamp.iso(to))
        let numbers = try read { db in try Int.fetchAll(db, sql: SLACounts.crossings(columns: "number"), arguments: arguments) }
        return numbers.map { TicketNumber($0) }
    }
}
