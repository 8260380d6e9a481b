import BelenusCore
import Foundation

let t0 = Date(timeIntervalSince1970: 1_800_000_000)
let policy = SLAPolicy(defaultDueHours: 72, dueSoonHours: 24)
/// Every hour counts: the wall-clock arithmetic of the tests written before business hours.
let clock = SLAClock(calendar: .always(), policy: policy)

let ownClient = Actor(login: Login("ana"), role: .client, org: "Acme")
let otherClient = Actor(login: Login("bruno"), role: .client, org: "Globex")
let tech = Actor(login: Login("jgarcia"), role: .tech)
let admin = Actor(login: Login("root"), role: .admin)
let technicians: Set<Login> = [Login("jgarcia"), Login("mlopez")]

func sampleTicket(status: TicketStatus = .open) -> Ticket {
    Ticket(
        number: TicketNumber(7), title: "No timbra", product: "Facturación", version: "2024.1",
        body: "El timbrado falla.", org: "Acme", requester: Login("ana"), createdAt: t0,
        responsible: Login("jgarcia"), dueAt: t0 + 72 * 3600, dueSoonAt: t0 + 48 * 3600, calendar: "24x7", status: status)
}
