import BelenusCore
import BelenusFiles
import BelenusTemplates
import Foundation

/// The private pages of tickets (SPEC §6): one page per ticket, and the rows of the ticket list.
///
/// A ticket's page holds the forms of both audiences, each between `<!--belenus:client-->` and
/// `<!--/belenus:client-->` (or `staff`); the gateway, which knows who is looking, cuts out the
/// other's before it serves the page. The `csrf` fields are empty; in the file the gateway serves,
/// their places are listed on its last line, and the gateway writes the session's token there
/// (`PageBlocks.filled`); in a public copy (`ticket_pages = "link"`) the page script fills them.
public struct TicketPages: Sendable {
    let config: SiteConfig
    let theme: Theme
    /// Active technicians with display names, for the assign and update forms.
    let technicians: [(login: Login, name: String)]
    let now: Date

    public init(config: SiteConfig, theme: Theme, technicians: [(login: Login, name: String)], now: Date) {
        self.config = config
        self.theme = theme
        self.technicians = technicians
        self.now = now
    }

    public static func ticketPath(_ number: TicketNumber) -> String { CGIText.ticketPagePath(number.rawValue) }

    /// With `ticket_pages = "link"`: the public copy at the ticket's secret URL.
    public static func linkPath(_ token: String) -> String { "public/t/\(token)/index.html" }

    /// The public copy: the client's forms only (posting them still needs a login), marked
    /// `noindex` and `no-referrer` by the template.
    public func linkPage(_ details: TicketDetails) -> [UInt8] {
        PageBlocks.cut(ticketPage(details), block: "staff")
    }

    /// The file the gateway serves for `GET /tickets/N`: the page with its slots listed.
    public func privatePage(_ details: TicketDetails) -> [UInt8] {
        theme.renderSlotted(theme.pages.ticket, model(details), globals: PageGlobals(config))
    }

    /// The fingerprint of a ticket page: its revision, SLA state, deadline and due-soon instant.
    public func fingerprint(_ ticket: Ticket) -> String {
        let sla = ticket.slaState(at: now)?.rawValue ?? "-"
        return "r\(ticket.revision)|\(sla)|\(ticket.dueAt.timeIntervalSince1970)|\(ticket.dueSoonAt.timeIntervalSince1970)"
    }

    func slaBadge(_ ticket: Ticket) -> SLABadge? {
        guard let state = ticket.slaState(at: now) else { return nil }
        return SLABadge(
            state: state.rawValue, label: theme.string("sla_\(state.rawValue)"), icon: Self.icon(state),
            dueISO: Timestamp.iso(ticket.dueAt), dueDisplay: theme.display(ticket.dueAt), dueSoonISO: Timestamp.iso(ticket.dueSoonAt),
            soonHours: String(config.dueSoonHours))
    }

    /// "8 h hábiles" when the last change of the deadline gave it as business hours.
    func dueHours(_ details: TicketDetails) -> String {
        guard let last = details.events.last(where: { $0.event.changes.contains { $0.field == "due_at" } })?.event,
              let hours = last.changes.first(where: { $0.field == "due_in_hours" })?.to
        else { return "" }
        return theme.changeValue(field: "due_in_hours", hours, names: [:], none: "")
    }

    static func icon(_ state: SLAState) -> String {
        switch state {
        case .onTime: "●"
        case .dueSoon: "▲"
        case .overdue: "✖"
        case .paused: "‖"  // U+2016: U+23F8 ⏸ is in no font Debian installs by default
        }
    }

    /// The ticket's page; with `refused`, the gateway's answer to a refused form: the error on
    /// top and what was typed back in its form.
    public func ticketPage(_ details: TicketDetails, refused: RefusedForm? = nil, csrf: String = "") -> [UInt8] {
        theme.render(theme.pages.ticket, model(details, refused: refused), globals: PageGlobals(config, csrf: csrf))
    }

    func model(_ details: TicketDetails, refused: RefusedForm? = nil) -> TicketPageView {
        let t = details.ticket
        let none = theme.string("none")
        func name(_ login: Login?) -> String { login.map { details.names[$0] ?? $0.rawValue } ?? none }
        let client = Actor(login: t.requester, role: .client, org: t.org)
        let staff = Actor(login: Login("staff"), role: .tech)
        let byEvent = Dictionary(grouping: details.attachments, by: \.event)
        let events = details.events.map { stored in
            let e = stored.event
            return TicketPageView.Event(
                kind: e.kind.rawValue, kindLabel: theme.string("event_\(e.kind.rawValue)"), actorName: name(e.actor),
                atISO: Timestamp.iso(e.at), atDisplay: theme.display(e.at), body: e.body.isEmpty ? .empty : Markdown.html(e.body),
                changes: e.changes.map {
                    .init(
                        fieldLabel: theme.string("field_\($0.field)"),
                        from: theme.changeValue(field: $0.field, $0.from, names: details.names, none: none),
                        to: theme.changeValue(field: $0.field, $0.to, names: details.names, none: none))
                },
                attachments: (byEvent[stored.id] ?? []).map(attachmentView))
        }
        let solution = details.events.last { $0.event.kind == .close }?.event.body ?? ""
        // An approved ticket's publish form is prefilled with the client's names already
        // replaced (SPEC §5); no other page shows that form.
        let neutral = theme.string("publish_client")
        let prefill = details.clientNames.map { names in
            (
                title: names.neutralized(t.title, with: neutral),
                body: names.neutralized(
                    "## \(theme.string("publish_problem"))\n\n\(t.body)\n\n## \(theme.string("publish_solution"))\n\n\(solution)\n",
                    with: neutral)
            )
        }
        let model = TicketPageView(
            noindex: config.ticketPages == .link,
            refused: refused.map { .init(fieldLabel: $0.fieldLabel, message: $0.message) },
            ticket: .init(
                number: t.number.rawValue, title: t.title, product: t.product, version: t.version, body: Markdown.html(t.body),
                org: t.org, requesterName: name(t.requester), createdISO: Timestamp.iso(t.createdAt),
                createdDisplay: theme.display(t.createdAt),
                responsibleName: name(t.responsible), assignedName: name(t.assigned), dueISO: Timestamp.iso(t.dueAt),
                dueDisplay: theme.display(t.dueAt), dueHours: dueHours(details),
                waitingLabel: theme.string("waiting_\(t.waitingOn.rawValue)"),
                providerRef: t.providerRef ?? "", providerRefDisplay: t.providerRef ?? none,
                status: t.status.rawValue, statusLabel: theme.string("status_\(t.status.rawValue)")),
            sla: slaBadge(t),
            attachments: details.attachments.map(attachmentView),
            events: events,
            forms: .init(
                clientComment: Rulebook.allows(.comment, by: client, on: t), reopen: Rulebook.allows(.reopen, by: client, on: t),
                approve: Rulebook.allows(.approve, by: client, on: t), staffComment: Rulebook.allows(.comment, by: staff, on: t),
                close: Rulebook.allows(.close, by: staff, on: t), assign: Rulebook.allows(.assign, by: staff, on: t),
                update: Rulebook.allows(.update, by: staff, on: t), publish: Rulebook.allows(.publish, by: staff, on: t),
                publishTitle: refused?.typed(.publish, "title") ?? prefill?.title ?? t.title,
                publishBody: refused?.typed(.publish, "body") ?? prefill?.body ?? "",
                clientCommentText: refused?.typed(.clientComment, "body") ?? "",
                staffCommentText: refused?.typed(.staffComment, "body") ?? "",
                reopenText: refused?.typed(.reopen, "body") ?? "",
                closeText: refused?.typed(.close, "body") ?? "",
                dueAtValue: refused?.typed(.update, "due_at") ?? theme.clock.inputValue(t.dueAt),
                dueInHoursValue: refused?.typed(.update, "due_in_hours") ?? "",
                providerRefValue: refused?.typed(.update, "provider_ref") ?? t.providerRef ?? "",
                technicians: technicians.map {
                    .init(login: $0.login.rawValue, name: $0.name, assigned: $0.login == t.assigned, responsible: $0.login == t.responsible)
                },
                waitingOptions: WaitingOn.allCases.map {
                    .init(value: $0.rawValue, label: theme.string("waiting_\($0.rawValue)"), selected: $0 == t.waitingOn)
                }))
        return model
    }

    func attachmentView(_ a: Attachment) -> AttachmentView {
        AttachmentView(id: Int(a.id), name: a.name, sizeDisplay: Theme.size(a.size))
    }

    /// A ticket's row in the list (*Diagrama 2*); `names` are display names by login.
    func row(_ t: Ticket, names: [Login: String]) -> TicketListPage.Row {
        func name(_ login: Login?) -> String { login.map { names[$0] ?? $0.rawValue } ?? "" }
        return TicketListPage.Row(
            number: t.number.rawValue, title: t.title, status: t.status.rawValue, statusLabel: theme.string("status_\(t.status.rawValue)"),
            waitingLabel: theme.string("waiting_\(t.waitingOn.rawValue)"), vobo: t.status == .approved,
            createdISO: Timestamp.iso(t.createdAt), createdDisplay: theme.display(t.createdAt), org: t.org, product: t.product,
            requesterName: name(t.requester), responsibleName: name(t.responsible), assignedName: name(t.assigned), sla: slaBadge(t))
    }
}
