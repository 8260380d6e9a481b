import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET /tickets/N`, its JSON and files, and a refused form shown again on it.
extension Gateway {
    /// The ticket, or 404 for one that does not exist and for another company's alike.
    func visibleTicket(_ number: TicketNumber, by actor: Actor) throws -> Ticket {
        guard let ticket = try store.ticket(number), Rulebook.canSee(ticket, actor) else {
            throw GatewayError(404, "ticket \(number) not found")
        }
        return ticket
    }

    /// `GET /tickets/N`: the generated page, with the other audience's forms cut out and this
    /// session's CSRF token filled in; JSON: the ticket, its events and attachments.
    func showTicket(_ number: TicketNumber, _ user: SignedIn) throws -> Response {
        let actor = user.actor
        let ticket = try visibleTicket(number, by: actor)
        if request.wantsJSON { return .json(200, try ticketJSON(ticket)) }
        return .html(200, bytes: try ticketPage(number, for: user))
    }

    /// The generated page of ticket `number` as `actor` may see it.
    func ticketPage(_ number: TicketNumber, for user: SignedIn) throws -> [UInt8] {
        let relative = SiteBuilder.ticketPagePath(number)
        let file = paths.output + "/" + relative
        let record = try store.pageRecords(paths: [relative])[relative]
        let page: [UInt8]
        if record == nil || record?.fingerprint == "stale" || !FileManager.default.fileExists(atPath: file),
           try builder().regeneratePages(touchedBy: [number], now: now) == nil {
            // A whole build holds the build lock: rendered for this view, not written.
            guard let rendered = try builder().renderedTicketPage(number, now: now) else { throw GatewayError(404, "no ticket \(number)") }
            page = PageBlocks.filled(rendered, with: user.csrfToken)
        } else {
            page = try generatedPage(file, missing: "the page of ticket \(number)", csrf: user.csrfToken)
        }
        return PageBlocks.cut(page, block: user.actor.role.isStaff ? "client" : "staff")
    }

    /// A generated private page with this session's CSRF token in its slots.
    func generatedPage(_ file: String, missing: String, csrf: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw GatewayError(500, "\(missing) is missing") }
        return PageBlocks.filled(Array(data), with: csrf)
    }

    /// SPEC §5: a refused form shows again with what was typed: the ticket's page rendered
    /// from its model with the error on top and the form's fields as they were sent.
    func ticketPageKeeping(
        _ form: FormFields, of action: TicketAction, on number: TicketNumber, by user: SignedIn, error: any HTTPResponseError
    ) throws -> Response {
        let actor = user.actor
        let views = try self.views.get()
        let which: RefusedForm.Form = switch action {
        case .comment: actor.role.isStaff ? .staffComment : .clientComment
        case .reopen: .reopen
        case .close: .close
        case .update: .update
        case .publish: .publish
        default: .other
        }
        let refused = RefusedForm(
            form: which, values: Dictionary(form.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            fieldLabel: views.fieldLabel(error.formField ?? "body"),
            message: views.message(code: error.code, values: error.values, fallback: error.message))
        guard let details = try store.ticketDetails([number]).first else { throw GatewayError(404, "ticket \(number) not found") }
        let ticketPages = TicketPages(config: views.config, theme: views.theme, technicians: try store.activeStaff(), now: now)
        let page = ticketPages.ticketPage(details, refused: refused, csrf: user.csrfToken)
        return .html(error.status, bytes: PageBlocks.cut(page, block: actor.role.isStaff ? "client" : "staff"))
    }

    func ticketJSON(_ ticket: Ticket) throws -> JSON {
        guard let d = try store.ticketDetails([ticket.number]).first else { throw GatewayError(404, "ticket \(ticket.number) not found") }
        let t = d.ticket
        return .object(
            ticketFields(t, names: d.names) + [
                ("version", .string(t.version)), ("body", .string(t.body)), ("provider_ref", .optional(t.providerRef)),
                (
                    "events",
                    .array(
                        d.events.map { stored in
                            let e = stored.event
                            return .object([
                                ("id", .int(Int(stored.id))), ("kind", .string(e.kind.rawValue)), ("actor", .string(e.actor.rawValue)),
                                ("at", .string(Timestamp.iso(e.at))), ("body", .string(e.body)),
                                (
                                    "changes",
                                    .array(
                                        e.changes.map {
                                            .object([("field", .string($0.field)), ("from", .optional($0.from)), ("to", .optional($0.to))])
                                        })
                                ),
                            ])
                        })
                ),
                (
                    "attachments",
                    .array(
                        d.attachments.map { a in
                            .object([
                                ("id", .int(Int(a.id))), ("name", .string(a.name)), ("size", .int(a.size)),
                                ("content_type", .string(a.contentType)),
                                ("event", a.event.map { .int(Int($0)) } ?? .null),
                                ("url", .string(link("/tickets/\(t.number)/files/\(a.id)"))),
                            ])
                        })
                ),
            ])
    }

    /// `GET /tickets/N/files/ID`: always a download, never rendered by the browser.
    func download(_ id: Int64, of number: TicketNumber, _ user: SignedIn) throws -> Response {
        let actor = user.actor
        _ = try visibleTicket(number, by: actor)
        guard let attachment = try store.attachment(id), attachment.ticket == number else {
            throw GatewayError(404, "no file \(id) on ticket \(number)")
        }
        let files = AttachmentFiles(directory: paths.attachments)
        guard let data = FileManager.default.contents(atPath: files.path(attachment.sha256)) else {
            throw GatewayError(404, "the file '\(attachment.name)' is missing from the server")
        }
        return Response(status: 200, headers: [
            ("Content-Type", "application/octet-stream"),
            ("Content-Disposition", AttachmentFiles.contentDisposition(attachment.name)),
            ("Content-Security-Policy", "default-src 'none'; sandbox"),
        ], body: Array(data))
    }
}
