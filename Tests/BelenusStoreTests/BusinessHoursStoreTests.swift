import BelenusCore
@testable import BelenusStore
import Foundation
import Testing

// Deadlines in business hours, through the store (issue 32): a ticket's calendar is its
// company's, the pause keeps business time, and a calendar change lays deadlines out again.

private let mexico = TimeZone(identifier: "America/Mexico_City")!

private func local(_ text: String) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = mexico
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

/// `seededStore` with the calendar `oficina` (Mon–Fri 09:00–18:00, Mexico City, mx-lft) as
/// Acme's, and plazos of 8 business hours with 2 of warning.
private func officeStore() throws -> (Store, SLAPolicy) {
    let store = try seededStore()
    try store.addCalendar(BusinessCalendar(
        name: "oficina", zone: IANAZone(mexico), hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00"), holidays: try Holidays(parsing: "mx-lft")))
    let policy = SLAPolicy(defaultDueHours: 8, dueSoonHours: 2)
    try store.setOrgCalendar("Acme", to: "oficina", defaultCalendar: "24x7", at: t0, policy: policy)
    return (store, policy)
}

@Test func aTicketOfACompanyWithACalendarIsDueInItsBusinessHours() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-12 17:00"), policy: policy, defaultCalendar: "24x7")
    // Friday 17–18, Monday the 15th is the third Monday of March, Tuesday 09–16.
    #expect(ticket.calendar == "oficina")
    #expect(ticket.dueAt == local("2027-03-16 16:00"))
    #expect(ticket.dueSoonAt == local("2027-03-16 14:00"))
    let stored = try #require(try store.ticket(ticket.number))
    #expect(stored.dueAt == ticket.dueAt && stored.dueSoonAt == ticket.dueSoonAt && stored.calendar == "oficina")
    // Globex has no calendar of its own: the site's.
    let other = try store.openTicket(
        TicketDraft(title: "x", product: "Nómina", version: "2024.1", body: "y", org: "Globex"),
        by: Actor(login: Login("jgarcia"), role: .tech), at: local("2027-03-12 17:00"), policy: policy, defaultCalendar: "24x7")
    #expect(other.calendar == "24x7" && other.dueAt == local("2027-03-13 01:00"))
}

@Test func thePauseKeepsTheBusinessTimeThatRemained() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-18 09:00"), policy: policy, defaultCalendar: "24x7")
    #expect(ticket.dueAt == local("2027-03-18 17:00"))
    // The technician asks at 16:00 (one hour left): the clock stops.
    try store.change(ticket.number, by: jgarcia, at: local("2027-03-18 16:00"), policy: policy) { t, context in
        try t.comment("¿Nos manda el XML?", by: jgarcia, at: local("2027-03-18 16:00"), clock: context.clock)
    }
    // The client answers on Friday at 17:30: half an hour that day, half on Monday.
    let answered = try store.change(ticket.number, by: ana, at: local("2027-03-19 17:30"), policy: policy) { t, context in
        try t.comment("Aquí está.", by: ana, at: local("2027-03-19 17:30"), clock: context.clock)
    }
    #expect(answered.ticket.dueAt == local("2027-03-22 09:30"))
    #expect(answered.ticket.dueSoonAt == local("2027-03-19 16:30"))  // already due soon: an hour was left
}

/// Frappe #3776: a ticket closed while it waited on the client lost (or counted) the time.
@Test func aTicketClosedStraightFromAPauseKeepsItsTimeWhenReopened() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-18 09:00"), policy: policy, defaultCalendar: "24x7")
    try store.change(ticket.number, by: jgarcia, at: local("2027-03-18 16:00"), policy: policy) { t, context in
        try t.comment("¿Nos manda el XML?", by: jgarcia, at: local("2027-03-18 16:00"), clock: context.clock)
    }
    try store.change(ticket.number, by: jgarcia, at: local("2027-03-19 10:00"), policy: policy) { t, context in
        try t.close(solution: "Se corrigió.", by: jgarcia, at: local("2027-03-19 10:00"), clock: context.clock)
    }
    let reopened = try store.change(ticket.number, by: ana, at: local("2027-03-22 10:00"), policy: policy) { t, context in
        try t.reopen(reason: "Sigue igual.", by: ana, at: local("2027-03-22 10:00"), clock: context.clock)
    }
    #expect(reopened.ticket.dueAt == local("2027-03-22 11:00"))
}

/// Zammad #534: deadlines were not laid out again after a calendar changed.
@Test func aCalendarChangeLaysOutTheOpenTicketsAgain() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-18 09:00"), policy: policy, defaultCalendar: "24x7")
    let closed = try store.openTicket(draft(), by: ana, at: local("2027-03-18 09:00"), policy: policy, defaultCalendar: "24x7")
    try store.change(closed.number, by: jgarcia, at: local("2027-03-18 10:00"), policy: policy) { t, context in
        try t.close(solution: "Listo.", by: jgarcia, at: local("2027-03-18 10:00"), clock: context.clock)
    }
    // At noon, five hours left; the office now closes at 14:00.
    let moved = try store.editCalendar(
        "oficina", hours: try WeeklyHours(parsing: "mon-fri 09:00-14:00"), at: local("2027-03-18 12:00"), policy: policy)
    #expect(moved == [ticket.number])
    var now = try #require(try store.ticket(ticket.number))
    #expect(now.dueAt == local("2027-03-19 12:00") && now.dueSoonAt == local("2027-03-19 10:00"))
    #expect(try store.ticket(closed.number)?.dueAt == closed.dueAt)
    // Acme goes back to the site's calendar (24x7) at 13:00: the four hours left, on the clock.
    #expect(try store.setOrgCalendar("Acme", to: nil, defaultCalendar: "24x7", at: local("2027-03-18 13:00"), policy: policy)
        == [ticket.number])
    now = try #require(try store.ticket(ticket.number))
    #expect(now.calendar == "24x7" && now.dueAt == local("2027-03-18 17:00"))
    // The kept dashboard counts followed.
    let at = local("2027-03-18 15:30")
    let key = { (c: OpenCount) in "\(c.product)|\(c.sla.rawValue)=\(c.count)" }
    #expect(try store.openCounts(now: at).map(key).sorted() == store.recountedOpenCounts(now: at).map(key).sorted())
    #expect(try store.openCounts(now: at).first?.sla == .dueSoon)
}

@Test func aPlazoInBusinessHoursFromNow() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-11 10:00"), policy: policy, defaultCalendar: "24x7")
    let change = try store.change(ticket.number, by: jgarcia, at: local("2027-03-12 17:00"), policy: policy) { t, context in
        try t.update(TicketUpdate(dueAt: local("2030-01-01 00:00"), dueInHours: 8), technicians: context.technicians, by: jgarcia,
                     at: local("2027-03-12 17:00"), clock: context.clock)
    }
    #expect(change.ticket.dueAt == local("2027-03-16 16:00"))  // the hours win over the instant sent beside them
    #expect(change.event.changes.contains { $0.field == "due_in_hours" && $0.to == "8" })
    #expect(throws: FieldError.self) {
        try store.change(ticket.number, by: jgarcia, at: local("2027-03-12 17:00"), policy: policy) { t, context in
            try t.update(TicketUpdate(dueInHours: -1), technicians: context.technicians, by: jgarcia, at: local("2027-03-12 17:00"),
                         clock: context.clock)
        }
    }
}

@Test func aNewDueSoonWindowIsLaidOutOnceForTheOpenTickets() throws {
    let (store, policy) = try officeStore()
    let ticket = try store.openTicket(draft(), by: ana, at: local("2027-03-18 09:00"), policy: policy, defaultCalendar: "24x7")
    // Opened with 2 h of warning: nothing moves, and 2 h is recorded as the window in force.
    #expect(try store.layOutDueSoon(policy: policy).isEmpty)
    #expect(try store.read { db in try Double.fetchOne(db, sql: "SELECT due_soon FROM deadlines") } == 7200)
    let wider = SLAPolicy(defaultDueHours: 8, dueSoonHours: 4)
    #expect(try store.layOutDueSoon(policy: wider) == [ticket.number])
    #expect(try store.ticket(ticket.number)?.dueSoonAt == local("2027-03-18 13:00"))
}

@Test func aCalendarIsRefusedWithTheFieldThatIsWrong() throws {
    let store = try seededStore()
    #expect(throws: FieldError.self) { try Store.zone("America/Ciudad_Gotica") }
    try store.addCalendar(BusinessCalendar(name: "x", zone: IANAZone(mexico), hours: .always))
    #expect { try store.addCalendar(BusinessCalendar(name: "x", zone: IANAZone(mexico), hours: .always)) } throws: { ($0 as? FieldError)?.field == "name" }
    #expect { try store.setOrgCalendar("Acme", to: "nada", defaultCalendar: "24x7", at: t0, policy: policy) } throws: {
        ($0 as? FieldError)?.field == "calendar"
    }
    #expect(try store.calendars().map(\.calendar.name) == ["24x7", "x"])
}

/// A zone is shown and stored by the name it was given: Foundation's `TimeZone` says "GMT" for
/// "UTC", and the site's first calendar, stored as "UTC", was listed as "GMT" and written back
/// as "GMT" by the first change of its hours.
@Test func aZoneKeepsTheNameItWasGiven() throws {
    let store = try seededStore()
    #expect(try store.calendar(named: "24x7")?.zone.name == "UTC")
    try store.editCalendar("24x7", hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00"), at: t0, policy: policy)
    #expect(try store.read { db in try String.fetchOne(db, sql: "SELECT zone FROM calendars WHERE name = '24x7'") } == "UTC")
    try store.addCalendar(BusinessCalendar(name: "utc", zone: try Store.zone("UTC"), hours: .always))
    #expect(try store.calendar(named: "utc")?.zone.name == "UTC")
}
