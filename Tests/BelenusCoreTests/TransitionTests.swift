@testable import BelenusCore
import Foundation
import Testing

@Test func closingSetsWaitingOnClientAndBumpsRevision() throws {
    let change = try sampleTicket().close(solution: "Reinstale el certificado.", by: tech, at: t0 + 3600, clock: clock)
    #expect(change.ticket.status == .closed)
    #expect(change.ticket.waitingOn == .client)
    #expect(change.ticket.revision == 2)
    #expect(change.event.kind == .close)
    #expect(change.event.body == "Reinstale el certificado.")
}

@Test func clientCannotApproveAnOpenTicket() {
    #expect(throws: RuleViolation(.conflict, "ticket 7 is open: cannot approve")) {
        try sampleTicket().approve(by: ownClient, at: t0)
    }
}

@Test func reopenThenCloseThenApproveIsTheWholeLife() throws {
    var ticket = try sampleTicket().close(solution: "Hecho", by: tech, at: t0 + 10, clock: clock).ticket
    ticket = try ticket.reopen(reason: "Sigue fallando", by: ownClient, at: t0 + 20, clock: clock).ticket
    #expect(ticket.status == .open)
    #expect(ticket.waitingOn == .support)
    ticket = try ticket.close(solution: "Ahora sí", by: tech, at: t0 + 30, clock: clock).ticket
    ticket = try ticket.approve(by: ownClient, at: t0 + 40).ticket
    #expect(ticket.status == .approved)
    #expect(throws: RuleViolation.self) { try ticket.comment("¿Y ahora?", by: ownClient, at: t0 + 50, clock: clock) }
}

@Test(arguments: ["", "   \n\t ", "\u{3000}\u{2028}\u{85}\u{A0}", "\u{200B}\r\n"])
func aCommentNeedsABody(_ body: String) {
    #expect(throws: FieldError.required("body")) {
        try sampleTicket().comment(body, by: ownClient, at: t0, clock: clock)
    }
}

/// Blank is what trimming `.whitespacesAndNewlines` empties, for every Unicode scalar.
@Test func aBlankBodyIsWhatFoundationTrimsAway() throws {
    var differ: [UInt32] = []
    for value in UInt32(0)...0x10FFFF {
        guard let scalar = Unicode.Scalar(value) else { continue }
        let text = " " + String(scalar) + "\n"
        if TicketDraft.isBlank(text) != text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { differ.append(value) }
    }
    #expect(differ == [])
    #expect(try sampleTicket().comment("\u{2060}", by: ownClient, at: t0, clock: clock).ticket.revision > 0)  // a word joiner is not blank
}

@Test func aTechCommentWaitsOnTheClientAndAClientCommentOnSupport() throws {
    let answered = try sampleTicket().comment("¿Qué versión?", by: tech, at: t0 + 60, clock: clock).ticket
    #expect(answered.waitingOn == .client)
    let replied = try answered.comment("2024.1", by: ownClient, at: t0 + 120, clock: clock).ticket
    #expect(replied.waitingOn == .support)
}

@Test func assignRefusesSomeoneWhoIsNotATechnician() throws {
    #expect(throws: FieldError.self) {
        try sampleTicket().assign(to: Login("ana"), technicians: technicians, by: tech, at: t0)
    }
    let change = try sampleTicket().assign(to: Login("mlopez"), technicians: technicians, by: tech, at: t0)
    #expect(change.ticket.assigned == Login("mlopez"))
    #expect(change.event.changes == [.init(field: "assigned", from: nil, to: "mlopez")])
}

@Test func updateRecordsEachChangedField() throws {
    let update = TicketUpdate(waitingOn: .provider, providerRef: "PRV-1", responsible: Login("mlopez"))
    let change = try sampleTicket().update(update, technicians: technicians, by: tech, at: t0, clock: clock)
    #expect(change.event.changes.map(\.field) == ["waiting_on", "provider_ref", "responsible"])
    #expect(change.ticket.providerRef == "PRV-1")
    #expect(throws: FieldError.self) { try sampleTicket().update(TicketUpdate(), technicians: technicians, by: tech, at: t0, clock: clock) }
}

@Test func openingValidatesFieldsInFormOrder() throws {
    let draft = TicketDraft(title: " ", product: "", version: "1", body: "x", org: "Acme")
    #expect(throws: FieldError.required("title")) {
        try Ticket.open(draft, number: TicketNumber(1), by: ownClient, responsible: nil, at: t0, clock: clock)
    }
    let good = TicketDraft(title: "  Error al timbrar ", product: "Facturación", version: "1", body: "x", org: "Acme")
    let change = try Ticket.open(good, number: TicketNumber(1), by: ownClient, responsible: Login("jgarcia"), at: t0, clock: clock)
    #expect(change.ticket.title == "Error al timbrar")
    #expect(change.ticket.dueAt == t0 + 72 * 3600)
    #expect(change.ticket.requester == Login("ana"))
}
