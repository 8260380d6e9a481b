import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET /tickets/new` and `POST /tickets`.
extension Gateway {
    func newTicketForm(_ user: SignedIn) throws -> Response {
        let actor = user.actor
        let products = try store.products(offered: true)
        if request.wantsJSON {
            return .json(200, .object([("products", .array(products.map {
                .object([("name", .string($0.name)), ("versions", .array($0.versions.map { .string($0) }))])
            }))]))
        }
        let orgs = actor.role.isStaff ? try store.orgs() : []
        return try page(200) { $0.newTicket(products: products, orgs: orgs, values: [:], error: nil, csrf: user.csrfToken) }
    }

    /// `POST /tickets`: the draft, its files and its mail in one transaction; a 400 shows the
    /// form again with what was typed.
    func openTicket(_ user: SignedIn) throws -> Response {
        let form = user.form
        let actor = user.actor
        let values = ["title", "product", "version", "body", "org"].reduce(into: [String: String]()) { $0[$1] = form.value($1) ?? "" }
        do {
            if let problem = form.fileError { throw problem }
            let org = actor.role.isStaff ? (values["org"].flatMap { $0.isEmpty ? nil : $0 }) : actor.org
            if actor.role.isStaff, let org, try !store.orgs().contains(org) {
                throw FieldError.unknown("org", org)
            }
            let draft = TicketDraft(
                title: values["title"]!, product: values["product"]!, version: values["version"]!, body: values["body"]!, org: org ?? "")
            try Rulebook.checkOpen(for: actor.role.isStaff ? org : nil, by: actor)
            _ = try draft.validated()
            let ticket = try withAttachments(form.files) { attachments in
                try store.openTicket(
                    draft, by: actor, at: now, policy: config.slaPolicy, defaultCalendar: config.calendar, attachments: attachments,
                    mail: mailPlan(by: user))
            }
            regeneratePages([ticket.number])
            return .seeOther(link("/tickets/\(ticket.number)"), json: request.wantsJSON)
        } catch let error as HTTPResponseError
                    where !request.wantsJSON && error.formField != nil && (error.status == 400 || error.status == 413) {
            let products = try store.products(offered: true)
            let orgs = actor.role.isStaff ? try store.orgs() : []
            return try page(error.status) {
                $0.newTicket(products: products, orgs: orgs, values: values, error: error, csrf: user.csrfToken)
            }
        }
    }
}
