import BelenusCore
import Foundation
import GRDB

/// A calendar as stored: its row id (the admin pages' URLs) and its value.
public struct StoredCalendar: Hashable, Sendable {
    public let id: Int64
    public let calendar: BusinessCalendar
}

/// Business-hours calendars (SPEC §3): the `calendars` table, a company's calendar, and laying
/// the open tickets' deadlines out again when either changes, in the change's transaction.
extension Store {
    public func calendars() throws -> [StoredCalendar] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM calendars ORDER BY name").map { row in
                StoredCalendar(id: row["id"], calendar: try Self.calendar(from: row))
            }
        }
    }

    public func calendar(named name: String) throws -> BusinessCalendar? {
        try read { db in try Self.calendar(db, named: name) }
    }

    static let calendarSQL = "SELECT * FROM calendars WHERE name = ?"

    static func calendar(_ db: Database, named name: String) throws -> BusinessCalendar? {
        try Row.fetchOne(db.cachedStatement(sql: calendarSQL), arguments: [name]).map(calendar(from:))
    }

    /// The calendar `name`, or a 400 naming `field`.
    static func requireCalendar(_ db: Database, _ name: String, field: String = "calendar") throws -> BusinessCalendar {
        guard let calendar = try calendar(db, named: name) else { throw FieldError.unknown(field, name) }
        return calendar
    }

    /// A row as a value. The row was written from a value, so it parses; a zone the system no
    /// longer knows is an error that names the calendar.
    static func calendar(from row: Row) throws -> BusinessCalendar {
        let name: String = row["name"], zoneName: String = row["zone"]
        guard let zone = IANAZone(zoneName) else { throw StoreError("calendar '\(name)': unknown time zone '\(zoneName)'") }
        return BusinessCalendar(
            name: name, zone: zone, hours: try WeeklyHours(parsing: row["hours"]), holidays: try Holidays(parsing: row["holidays"]))
    }

    /// An IANA zone, or a 400 naming the `zone` field.
    public static func zone(_ name: String) throws(FieldError) -> IANAZone {
        guard name.utf8.count <= 64, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), let zone = IANAZone(name) else {
            throw FieldError(field: "zone", message: "'\(name)' is not an IANA time zone (America/Mexico_City)", code: "not_a_zone",
                             values: [name])
        }
        return zone
    }

    @discardableResult
    public func addCalendar(_ calendar: BusinessCalendar, at now: Date = Date(), by admin: Administrator? = nil) throws -> Int64 {
        let name = try Self.cleanName(calendar.name, field: "name")
        return try write { db in
            if try Self.calendar(db, named: name) != nil {
                throw FieldError(field: "name", message: "calendar '\(name)' already exists", code: "taken", values: [name])
            }
            try db.execute(
                sql: "INSERT INTO calendars (name, zone, hours, holidays) VALUES (?, ?, ?, ?)",
                arguments: [name, calendar.zone.name, calendar.hours.description, calendar.holidays.description])
            if let admin {
                try Self.audit(db, admin, at: now, "calendar.add", name, [
                    .init("zone", "", calendar.zone.name), .init("hours", "", calendar.hours.description),
                    .init("holidays", "", calendar.holidays.description),
                ])
            }
            return db.lastInsertedRowID
        }
    }

    /// Changes a calendar's zone, hours or holidays (nil: as it is) and lays out again the
    /// deadline of every open ticket that counts in it (SPEC §3). Returns those tickets, whose
    /// pages are stale.
    @discardableResult
    public func editCalendar(
        _ name: String, zone: IANAZone? = nil, hours: WeeklyHours? = nil, holidays: Holidays? = nil,
        at now: Date, policy: SLAPolicy, by admin: Administrator? = nil
    ) throws -> [TicketNumber] {
        try write { db in
            let old = try Self.requireCalendar(db, name, field: "name")
            var new = old
            if let zone { new.zone = zone }
            if let hours { new.hours = hours }
            if let holidays { new.holidays = holidays }
            guard new != old else { return [] }
            try db.execute(
                sql: "UPDATE calendars SET zone = ?, hours = ?, holidays = ? WHERE name = ?",
                arguments: [new.zone.name, new.hours.description, new.holidays.description, name])
            if let admin {
                let changes: [AuditEntry.Change] = [
                    ("zone", old.zone.name, new.zone.name), ("hours", old.hours.description, new.hours.description),
                    ("holidays", old.holidays.description, new.holidays.description),
                ].filter { $0.1 != $0.2 }.map { AuditEntry.Change($0.0, $0.1, $0.2) }
                try Self.audit(db, admin, at: now, "calendar.edit", name, changes)
            }
            return try Self.moveTickets(db, where: "calendar = ?", [name], from: { _ in old }, to: new, at: now, policy: policy)
        }
    }

    /// Gives company `org` the calendar `name` (nil: the site's, `defaultCalendar`) and lays out
    /// again the deadlines of its open tickets. Returns those tickets.
    @discardableResult
    public func setOrgCalendar(
        _ org: String, to name: String?, defaultCalendar: String, at now: Date, policy: SLAPolicy, by admin: Administrator? = nil
    ) throws -> [TicketNumber] {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT calendar FROM orgs WHERE name = ?", arguments: [org]) else {
                throw FieldError.unknown("org", org)
            }
            let old: String? = row["calendar"]
            guard old != name else { return [] }
            let new = try Self.requireCalendar(db, name ?? defaultCalendar)
            try db.execute(sql: "UPDATE orgs SET calendar = ? WHERE name = ?", arguments: [name, org])
            if let admin { try Self.audit(db, admin, at: now, "org.edit", org, [.init("calendar", old ?? "", name ?? "")]) }
            return try Self.moveTickets(db, where: "org = ?", [org], from: Self.calendarsByName(db), to: new, at: now, policy: policy)
        }
    }

    /// A lookup of calendars by name that reads each once (a change touching many tickets).
    static func calendarsByName(_ db: Database) -> (String) throws -> BusinessCalendar {
        var known: [String: BusinessCalendar] = [:]
        return { name in
            if let calendar = known[name] { return calendar }
            let calendar = try requireCalendar(db, name)
            known[name] = calendar
            return calendar
        }
    }

    /// The calendar the tickets of company `org` count in: its own, else `defaultCalendar`.
    static func calendar(_ db: Database, forOrg org: String, defaultCalendar: String) throws -> BusinessCalendar {
        let own = try String.fetchOne(db, sql: "SELECT calendar FROM orgs WHERE name = ?", arguments: [org])
        return try requireCalendar(db, own ?? defaultCalendar)
    }

    /// The open tickets matching `condition` move to calendar `new`: each deadline laid out again
    /// from the business time it had left in its old calendar (`old(name)`), due-soon instants
    /// with `policy`. Ticket rows only: no history entry, no mail (a calendar is not a change of
    /// the ticket's own). Returns the tickets whose deadline or calendar moved.
    static func moveTickets(
        _ db: Database, where condition: String, _ arguments: StatementArguments,
        from old: (String) throws -> BusinessCalendar, to new: BusinessCalendar, at now: Date, policy: SLAPolicy
    ) throws -> [TicketNumber] {
        let tickets = try Row.fetchAll(
            db, sql: "SELECT \(TicketRecords.columns) FROM tickets WHERE status = 'open' AND \(condition)", arguments: arguments
        ).map(TicketRecords.ticket(from:))
        let clock = SLAClock(calendar: new, policy: policy)
        var moved: [TicketNumber] = []
        for ticket in tickets {
            var next = ticket
            next.moveCalendar(from: try old(ticket.calendar), at: now, clock: clock)
            guard next != ticket else { continue }
            try db.execute(
                sql: "UPDATE tickets SET due_at = ?, due_soon_at = ?, calendar = ? WHERE number = ?",
                arguments: [Timestamp.iso(next.dueAt), Timestamp.iso(next.dueSoonAt), next.calendar, ticket.number.rawValue])
            moved.append(ticket.number)
        }
        return moved
    }

    /// Lays out again every open ticket's due-soon instant when the site's `due_soon_hours` is
    /// not the one they were laid out with (`deadlines`): `belenus build` calls it, and a new
    /// window applies from then. Returns the tickets whose instant moved.
    @discardableResult
    public func layOutDueSoon(policy: SLAPolicy) throws -> [TicketNumber] {
        let laidOut = try read { db in try Double.fetchOne(db, sql: "SELECT due_soon FROM deadlines") }
        guard laidOut != policy.dueSoon else { return [] }
        return try write { db in
            let calendar = Self.calendarsByName(db)
            var moved: [TicketNumber] = []
            let tickets = try Row.fetchAll(db, sql: "SELECT \(TicketRecords.columns) FROM tickets WHERE status = 'open'")
                .map(TicketRecords.ticket(from:))
            for ticket in tickets {
                var next = ticket
                next.setDeadline(ticket.dueAt, clock: SLAClock(calendar: try calendar(ticket.calendar), policy: policy))
                guard next.dueSoonAt != ticket.dueSoonAt else { continue }
                try db.execute(
                    sql: "UPDATE tickets SET due_soon_at = ? WHERE number = ?",
                    arguments: [Timestamp.iso(next.dueSoonAt), ticket.number.rawValue])
                moved.append(ticket.number)
            }
            try db.execute(sql: "UPDATE deadlines SET due_soon = ?", arguments: [policy.dueSoon])
            return moved
        }
    }
}
