import BelenusCore
import Testing

/// SPEC §7: who is told of each change, the actor never.
@Suite struct MailAudienceTests {
    static var assigned: Ticket {
        var t = sampleTicket()
        t.assigned = Login("mlopez")
        return t
    }

    @Test(arguments: [
        (TicketEvent.Kind.created, ownClient, true, ["jgarcia"]),
        (.created, tech, true, []),  // a technician opening a ticket they are responsible for
        (.comment, ownClient, false, ["jgarcia", "mlopez"]),
        (.reopen, ownClient, false, ["jgarcia", "mlopez"]),
        (.approve, ownClient, false, ["jgarcia", "mlopez"]),
        (.comment, tech, false, ["ana"]),
        (.close, Actor(login: Login("mlopez"), role: .tech), false, ["ana"]),
        (.update, admin, false, ["ana"]),
    ] as [(TicketEvent.Kind, Actor, Bool, [String])])
    func eachChangeTellsItsAudience(_ kind: TicketEvent.Kind, _ actor: Actor, _ team: Bool, _ people: [String]) {
        let audience = MailAudience(of: kind, on: Self.assigned, by: actor)
        #expect(audience.supportTeam == team)
        #expect(audience.people == people.map { Login($0) })
    }

    @Test func aTechnicianBothResponsibleAndAssignedIsToldOnce() {
        var t = sampleTicket()
        t.assigned = t.responsible
        #expect(MailAudience(of: .comment, on: t, by: ownClient).people == [Login("jgarcia")])
    }
}
