import BelenusCore
import Testing

/// Every (actor × state × action) cell of SPEC §2–§3, written out by hand.
/// "ok" allowed; "404" may not see it; "403" role may not; "409" not in this state.
/// Columns: open, closed, approved.
private let expected: [TicketAction: [String: [String]]] = [
    .view: ["own": ["ok", "ok", "ok"], "other": ["404", "404", "404"], "tech": ["ok", "ok", "ok"], "admin": ["ok", "ok", "ok"]],
    .comment: ["own": ["ok", "ok", "409"], "other": ["404", "404", "404"], "tech": ["ok", "ok", "409"], "admin": ["ok", "ok", "409"]],
    .reopen: ["own": ["409", "ok", "409"], "other": ["404", "404", "404"], "tech": ["403", "403", "403"], "admin": ["403", "403", "403"]],
    .approve: ["own": ["409", "ok", "409"], "other": ["404", "404", "404"], "tech": ["403", "403", "403"], "admin": ["403", "403", "403"]],
    .close: ["own": ["403", "403", "403"], "other": ["404", "404", "404"], "tech": ["ok", "409", "409"], "admin": ["ok", "409", "409"]],
    .assign: ["own": ["403", "403", "403"], "other": ["404", "404", "404"], "tech": ["ok", "ok", "409"], "admin": ["ok", "ok", "409"]],
    .update: ["own": ["403", "403", "403"], "other": ["404", "404", "404"], "tech": ["ok", "ok", "409"], "admin": ["ok", "ok", "409"]],
    .publish: ["own": ["403", "403", "403"], "other": ["404", "404", "404"], "tech": ["409", "409", "ok"], "admin": ["409", "409", "ok"]],
]

private let actors: [String: Actor] = ["own": ownClient, "other": otherClient, "tech": tech, "admin": admin]

struct Cell: CustomTestStringConvertible, Sendable {
    let action: TicketAction
    let actor: String
    let status: TicketStatus
    var testDescription: String { "\(actor) \(action.rawValue) \(status.rawValue)" }
}

private let cells: [Cell] = TicketAction.allCases.flatMap { action in
    ["own", "other", "tech", "admin"].flatMap { actor in
        TicketStatus.allCases.map { Cell(action: action, actor: actor, status: $0) }
    }
}

@Test(arguments: cells)
func rulebookAnswersEachCellAsTheSpecSays(_ cell: Cell) throws {
    let column = try #require(TicketStatus.allCases.firstIndex(of: cell.status))
    let want = try #require(expected[cell.action]?[cell.actor]?[column])
    let ticket = sampleTicket(status: cell.status)
    let actor = try #require(actors[cell.actor])
    let got: String
    do {
        try Rulebook.check(cell.action, by: actor, on: ticket)
        got = "ok"
    } catch {
        got = String(error.status)
    }
    #expect(got == want)
}

@Test func theMatrixCoversEveryActionAndActor() {
    #expect(Set(expected.keys) == Set(TicketAction.allCases))
    #expect(cells.count == TicketAction.allCases.count * 4 * 3)
}

@Test func aClientOpensTicketsOnlyForTheirOwnCompany() throws {
    try Rulebook.checkOpen(for: "Acme", by: ownClient)
    #expect(throws: RuleViolation.self) { try Rulebook.checkOpen(for: "Globex", by: ownClient) }
    try Rulebook.checkOpen(for: "Globex", by: tech)
    #expect(throws: FieldError(field: "org", message: "staff open a ticket on behalf of a company: name it", code: "org_required")) {
        try Rulebook.checkOpen(for: nil, by: tech)
    }
}

@Test func aClientWithoutCompanySeesNoTicket() {
    let orphan = Actor(login: Login("x"), role: .client, org: nil)
    #expect(!Rulebook.canSee(sampleTicket(), orphan))
}
