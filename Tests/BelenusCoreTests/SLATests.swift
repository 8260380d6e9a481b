import BelenusCore
import Foundation
import Testing

@Test(arguments: [
    (0.0, SLAState.onTime), (47.0, .onTime), (48.5, .dueSoon), (71.9, .dueSoon), (72.0, .overdue), (500.0, .overdue),
])
func slaStateFollowsTheDeadline(hours: Double, state: SLAState) {
    #expect(sampleTicket().slaState(at: t0 + hours * 3600) == state)
}

@Test func onlyOpenTicketsHaveAnSLAState() {
    #expect(sampleTicket(status: .closed).slaState(at: t0) == nil)
    #expect(sampleTicket(status: .approved).slaState(at: t0) == nil)
}

@Test func waitingOnTheClientPausesTheClockAndMovesTheDeadline() throws {
    var ticket = sampleTicket()
    ticket.setWaitingOn(.client, at: t0 + 10 * 3600, clock: clock)
    #expect(ticket.slaState(at: t0 + 100 * 3600) == .paused)
    ticket.setWaitingOn(.provider, at: t0 + 20 * 3600, clock: clock)  // still paused: the pause keeps its start
    ticket.setWaitingOn(.support, at: t0 + 40 * 3600, clock: clock)
    #expect(ticket.dueAt == t0 + (72 + 30) * 3600)
    #expect(ticket.slaState(at: t0 + 90 * 3600) == .dueSoon)
}

@Test func aTechCloseAndClientReopenDoNotCountTheClosedTime() throws {
    let closed = try sampleTicket().close(solution: "ok", by: tech, at: t0 + 3600, clock: clock).ticket
    let reopened = try closed.reopen(reason: "no", by: ownClient, at: t0 + 25 * 3600, clock: clock).ticket
    #expect(reopened.dueAt == t0 + 96 * 3600)
    #expect(reopened.slaState(at: t0 + 26 * 3600) == .onTime)
}
