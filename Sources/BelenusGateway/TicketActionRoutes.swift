import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusMail
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `POST /tickets/N/…`: the actions on a ticket, one transaction each, then its pages and mail.
extension Gateway {
    /// `POST /tickets/N/{comments,reopen,approve,close,assign,update,publish}`.
    func act(_ action: TicketAction, on number: TicketNumber, _ user: SignedIn) throws -> Response {
        let form = user.form
        let actor = user.actor
        let ticket = try visibleTicket(number, by: actor)
        try Rulebook.check(action, by: actor, on: ticket)  // 403/409 before the fields are looked at
        do {
            if let problem = form.fileError { throw problem }
            return try perform(action, on: ticket, user)
        } catch let error as HTTPResponseError where !request.wantsJSON && error.formField != nil && error.status < 500 {
            return try ticketPageKeeping(form, of: action, on: number, by: user, error: error)
        }
    }

    func perform(_ action: TicketAction, on ticket: Ticket, _ user: SignedIn) throws -> Response {
        let (number, form, actor) = (ticket.number, user.form, user.actor)
        if action == .publish { return try publish(ticket, form: form, by: actor) }
        if !form.files.isEmpty && action != .comment { throw GatewayError(400, "files go with a comment", field: "file") }
        _ = try withAttachments(form.files) { attachments in
            try store.change(
                number, by: actor, at: now, policy: config.slaPolicy, attachments: attachments, mail: mailPlan(by: user)
            ) { ticket, context in
                switch action {
                case .comment: try ticket.comment(form.value("body") ?? "", by: actor, at: now, clock: context.clock)
                case .reopen: try ticket.reopen(reason: form.value("body") ?? "", by: actor, at: now, clock: context.clock)
                case .approve: try ticket.approve(by: actor, at: now)
                case .close: try ticket.close(solution: form.value("body") ?? "", by: actor, at: now, clock: context.clock)
                case .assign:
                    try ticket.assign(to: Login(try form.required("assigned")), technicians: context.technicians, by: actor, at: now)
                case .update:
                    try ticket.update(
                        try Self.update(from: form, clock: LocalClock(timezone: config.timezone)), technicians: context.technicians,
                        by: actor, at: now, clock: context.clock)
                case .view, .publish: throw GatewayError(404, "no such action")
                }
            }
        }
        regeneratePages([number])
        return .seeOther(link("/tickets/\(number)"), json: request.wantsJSON)
    }

    /// The fields of `update` that the form sent (an empty one leaves its value as it is,
    /// except `provider_ref`, which an empty value clears).
    /// `due_at` is a local time of the site's zone (what a `datetime-local` input sends) or an
    /// instant with `Z` or an offset.
    static func update(from form: FormFields, clock: LocalClock) throws -> TicketUpdate {
        var update = TicketUpdate()
        if let text = form.value("due_at")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let date = clock.parse(text) else {
                throw FieldError(
                    field: "due_at", message: "'\(text)' is not a date and time (2026-12-15T10:00, local)", code: "not_a_date",
                    values: [text])
            }
            update.dueAt = date
        }
        if let text = form.value("due_in_hours")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.utf8.count <= 12, text.utf8.allSatisfy({ (48...57).contains($0) || $0 == UInt8(ascii: ".") }),
                  let hours = Double(text)
            else {
                throw FieldError(
                    field: "due_in_hours", message: "'\(text)' is not a number of hours (8, 1.5)", code: "not_hours", values: [text])
            }
            update.dueInHours = hours
        }
        if let text = form.value("waiting_on"), !text.isEmpty {
            guard let value = WaitingOn(rawValue: text) else {
                throw FieldError(
                    field: "waiting_on", message: "support, client, provider or external", code: "not_a_choice", values: [text])
            }
            update.waitingOn = value
        }
        update.providerRef = form.value("provider_ref")
        if let text = form.value("responsible")?.trimmingCharacters(in: .whitespaces), !text.isEmpty { update.responsible = Login(text) }
        return update
    }

    /// The mail of a change (its words are made inside its transaction), sent after the answer.
    func mailPlan(by user: SignedIn) throws -> MailPlan {
        let views = try self.views.get()
        let actorName = user.session.user.name
        let names = try store.staffNames()  // a notice names only who is responsible or assigned
        let plan = MailPlan(config: config) { change, link, replies in
            views.notice(for: change, actorName: actorName, names: names, link: link, replies: replies)
        }
        mailPlans.append(plan)
        return plan
    }

    /// After the commit: the touched pages now, under the build lock. When that fails, or a
    /// whole build holds the lock (for minutes at a million tickets), the change stands and the
    /// pages are marked stale: each view renders them until one, or the next build, writes them
    /// (a whole build's record save keeps the mark).
    func regeneratePages(_ numbers: [TicketNumber]) {
        CrashPoint.reach("gateway.before-regeneration")
        // The page's temporary file made before the build lock, not while others wait for it.
        AtomicFile.prepareTemporary(in: paths.output + "/" + AtomicFile.temporaryFolderName)
        do {
            if try builder().regeneratePages(touchedBy: numbers, now: now) != nil { return }
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: pages of \(numbers): \(error)\n".utf8))
        }
        try? store.markPagesStale(numbers.map(SiteBuilder.ticketPagePath))
    }
}
