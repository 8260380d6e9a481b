import BelenusCore
import BelenusStore
import BelenusFiles
import Foundation

/// The private pages: one per ticket and the paginated ticket lists (SPEC §6).
///
/// A ticket's page holds the forms of both audiences, each between `<!--belenus:client-->` and
/// `<!--/belenus:client-->` (or `staff`); the gateway, which knows who is looking, cuts out the
/// other's before it serves the page. The `csrf` fields are empty: the page script fills them in.
struct TicketPages {
    let config: SiteConfig
    let theme: Theme
    /// Active technicians with display names, for the assign and update forms.
    let technicians: [(login: Login, name: String)]
    let now: Date
    /// `partials/technician-options` rendered once: the same `<option>`s on every ticket page,
    /// where only the selected one differs (two lists a page were a third of its lookups).
    let technicianOptions: String

    init(config: SiteConfig, theme: Theme, technicians: [(login: Login, name: String)], now: Date) {
        self.config = config
        self.theme = theme
        self.technicians = technicians
        self.now = now
        technicianOptions = theme.render("partials/technician-options", [
            "technicians": technicians.map { ["login": $0.login.rawValue, "name": $0.name] },
        ])
    }

    /// The technicians' options with `login`'s marked selected.
    func technicianOptions(selecting login: Login?) -> String {
        guard let login else { return technicianOptions }
        let value = "value=\"\(HTMLEscaper.escape(login.rawValue))\""
        return technicianOptions.replacingFirst(value + ">", with: value + " selected>")
    }

    static let pageSize = 50

    static func ticketPath(_ number: TicketNumber) -> String { "private/tickets/\(number)/index.html" }

    /// With `ticket_pages = "link"`: the public copy at the ticket's secret URL.
    static func linkPath(_ token: String) -> String { "public/t/\(token)/index.html" }

    /// The public copy: the client's forms only (posting them still needs a login), marked
    /// `noindex` and `no-referrer` by the template.
    func linkPage(_ details: TicketDetails) -> String {
        PageBlocks.cut(ticketPage(details), block: "staff")
    }

    /// The fingerprint of a ticket page: its revision, SLA state and the technicians it offers.
    func fingerprint(_ ticket: Ticket) -> String {
        let sla = ticket.slaState(at: now, policy: config.slaPolicy)?.rawValue ?? "-"
        return "r\(ticket.revision)|\(sla)|\(ticket.dueAt.timeIntervalSince1970)"
    }

    func slaContext(_ ticket: Ticket) -> [String: Any]? {
        guard let state = ticket.slaState(at: now, policy: config.slaPolicy) else { return nil }
        return ["state": state.rawValue, "label": theme.string("sla_\(state.rawValue)"), "icon": Self.icon(state),
                "due_iso": Timestamp.iso(ticket.dueAt), "due_display": theme.display(ticket.dueAt),
                "soon_hours": config.dueSoonHours]
    }

    static func icon(_ state: SLAState) -> String {
        switch state {
        case .onTime: "●"
        case .dueSoon: "▲"
        case .overdue: "✖"
        case .paused: "‖"  // U+2016: U+23F8 ⏸ is in no font Debian installs by default
        }
    }

    func ticketPage(_ details: TicketDetails) -> String {
        let t = details.ticket
        let none = theme.string("none")
        func name(_ login: Login?) -> String { login.map { details.names[$0] ?? $0.rawValue } ?? none }
        let client = Actor(login: t.requester, role: .client, org: t.org)
        let staff = Actor(login: Login("staff"), role: .tech)
        let byEvent = Dictionary(grouping: details.attachments, by: \.event)
        let events: [[String: Any]] = details.events.map { stored in
            let e = stored.event
            return [
                "kind": e.kind.rawValue, "kind_label": theme.string("event_\(e.kind.rawValue)"), "actor_name": name(e.actor),
                "at_iso": Timestamp.iso(e.at), "at_display": theme.display(e.at),
                "body_html": e.body.isEmpty ? "" : Markdown.html(e.body),
                "has_changes": !e.changes.isEmpty,  // swift-mustache does not open {{#list.0}}
                "changes": e.changes.map { ["field_label": theme.string("field_\($0.field)"), "from": $0.from ?? none, "to": $0.to ?? none] },
                "attachments": (byEvent[stored.id] ?? []).map(attachmentContext),
            ]
        }
        let solution = details.events.last { $0.event.kind == .close }?.event.body ?? ""
        var context: [String: Any] = [
            "site": SiteContext.site(config),
            "noindex": config.ticketPages == .link,
            "ticket": [
                "number": t.number.rawValue, "title": t.title, "product": t.product, "version": t.version,
                "body_html": Markdown.html(t.body), "org": t.org, "requester_name": name(t.requester),
                "created_iso": Timestamp.iso(t.createdAt), "created_display": theme.display(t.createdAt),
                "responsible_name": name(t.responsible), "assigned_name": name(t.assigned),
                "due_iso": Timestamp.iso(t.dueAt), "due_display": theme.display(t.dueAt),
                "waiting_label": theme.string("waiting_\(t.waitingOn.rawValue)"), "provider_ref": t.providerRef ?? "",
                "provider_ref_display": t.providerRef ?? none,
                "status": t.status.rawValue, "status_label": theme.string("status_\(t.status.rawValue)"),
            ] as [String: Any],
            "attachments": details.attachments.map(attachmentContext),
            "has_attachments": !details.attachments.isEmpty,
            "events": events,
            "forms": [
                "client_comment": Rulebook.allows(.comment, by: client, on: t),
                "reopen": Rulebook.allows(.reopen, by: client, on: t),
                "approve": Rulebook.allows(.approve, by: client, on: t),
                "staff_comment": Rulebook.allows(.comment, by: staff, on: t),
                "close": Rulebook.allows(.close, by: staff, on: t),
                "assign": Rulebook.allows(.assign, by: staff, on: t),
                "update": Rulebook.allows(.update, by: staff, on: t),
                "publish": Rulebook.allows(.publish, by: staff, on: t),
                "publish_title": t.title,
                "publish_body": "## \(theme.string("publish_problem"))\n\n\(t.body)\n\n## \(theme.string("publish_solution"))\n\n\(solution)\n",
                "assign_options": technicianOptions(selecting: t.assigned),
                "responsible_options": technicianOptions(selecting: t.responsible),
                // For themes made before the options were rendered once (a list costs nothing
                // unless a template walks it).
                "technicians": technicians.map {
                    ["login": $0.login.rawValue, "name": $0.name, "assigned": $0.login == t.assigned, "responsible": $0.login == t.responsible]
                },
                "waiting_options": WaitingOn.allCases.map {
                    ["value": $0.rawValue, "label": theme.string("waiting_\($0.rawValue)"), "selected": $0 == t.waitingOn]
                },
            ] as [String: Any],
        ]
        context["sla"] = slaContext(t)  // absent, not nil: swift-mustache takes a nil in Any as true
        return theme.render("ticket", context)
    }

    func attachmentContext(_ a: Attachment) -> [String: Any] {
        ["id": a.id, "name": a.name, "size_display": Theme.size(a.size)]
    }

    // MARK: - Lists

    /// One list: every ticket (staff) or one company's, in stable buckets of 50 by number, so a
    /// change to a ticket re-renders one bucket, and a new ticket the newest one (every 50th,
    /// when a bucket is added, the list's pages, whose navigation counts pages from the newest).
    struct TicketList {
        let key: String      // "staff" or "org/<slug>-<hash>"
        let title: String
        let staff: Bool
        let tickets: [Ticket]
    }

    func lists(_ tickets: [Ticket]) -> [TicketList] {
        var byOrg: [String: [Ticket]] = [:]
        for t in tickets { byOrg[t.org, default: []].append(t) }
        return [list(org: nil, tickets: tickets)] + byOrg.keys.sorted().map { list(org: $0, tickets: byOrg[$0]!) }
    }

    /// The staff's list (`org` nil) or one company's.
    func list(org: String?, tickets: [Ticket]) -> TicketList {
        guard let org else { return TicketList(key: "staff", title: theme.string("list_staff"), staff: true, tickets: tickets) }
        return TicketList(key: "org/\(Self.orgKey(org))", title: theme.string("list_org").replacingOccurrences(of: "%@", with: org),
                          staff: false, tickets: tickets)
    }

    /// A file-name-safe key for a company that two names never share.
    static func orgKey(_ org: String) -> String {
        "\(Slug(making: org)?.rawValue ?? "org")-\(FNV1a.hex(org).prefix(8))"
    }

    static func listPath(_ key: String, bucket: Int) -> String { "private/lists/\(key)/\(bucket).html" }

    /// A company's list is cut every 50 tickets; the staff's list, which holds every ticket, by
    /// number: bucket K holds numbers 50(K−1)+1…50K (numbers are given in order, so the same
    /// cut), which the gateway finds on the primary key without counting rows.
    func buckets(of list: TicketList) -> [(path: String, fingerprint: String, rows: ArraySlice<Ticket>, page: Int, pages: Int)] {
        let tickets = list.tickets  // ordered by number
        var cuts: [Range<Int>] = []
        if list.staff {
            let count = Self.staffBucket(of: tickets.last?.number ?? TicketNumber(0))
            var start = 0
            for bucket in stride(from: 1, through: count, by: 1) {
                var end = start
                while end < tickets.count, Self.staffBucket(of: tickets[end].number) == bucket { end += 1 }
                cuts.append(start..<end)
                start = end
            }
        } else {
            cuts = stride(from: 0, to: tickets.count, by: Self.pageSize).map { $0..<min(tickets.count, $0 + Self.pageSize) }
        }
        return cuts.enumerated().map { i, cut in
            let rows = tickets[cut]
            let page = cuts.count - i  // page 1 is the newest bucket
            return (Self.listPath(list.key, bucket: i + 1), bucketFingerprint(rows, page: page, pages: cuts.count), rows, page, cuts.count)
        }
    }

    /// The staff list's bucket of ticket `number` (1-based); of the highest number, their count.
    static func staffBucket(of number: TicketNumber) -> Int { (number.rawValue + pageSize - 1) / pageSize }

    /// Of what its rows show (not of the tickets' revisions): a comment that leaves a ticket's row
    /// as it was does not render its buckets again.
    func bucketFingerprint(_ rows: ArraySlice<Ticket>, page: Int, pages: Int) -> String {
        FNV1a.hex(rows.map(rowFingerprint).joined(separator: "\u{1F}") + "|\(page)/\(pages)")
    }

    /// Every value `listPage` puts in a ticket's row.
    func rowFingerprint(_ t: Ticket) -> String {
        let sla = t.slaState(at: now, policy: config.slaPolicy)?.rawValue ?? "-"
        return [String(t.number.rawValue), t.title, t.status.rawValue, t.org, t.product, t.responsible?.rawValue ?? "",
                sla, String(t.dueAt.timeIntervalSince1970)].joined(separator: "\u{1E}")
    }

    /// A static bucket: "Tickets #first to #last" (no total, so other buckets need not change
    /// when a ticket is added), pager links by page number counted from the newest.
    func listPage(_ list: TicketList, rows: ArraySlice<Ticket>, page: Int, pages: Int) -> String {
        let base = "\(config.gatewayPath)/tickets?page="
        let first = rows.first?.number.rawValue ?? 0, last = rows.last?.number.rawValue ?? 0
        let range = theme.string("list_range").replacingFirst("%@", with: "\(first)").replacingFirst("%@", with: "\(last)")
        return listPage(
            title: list.title, staff: list.staff, rows: rows.reversed(), range: range,
            newer: page > 1 ? base + String(page - 1) : nil, older: page < pages ? base + String(page + 1) : nil)
    }

    /// A list page, static or the gateway's filtered one; `filters` fills the filter form.
    func listPage(
        title: String, staff: Bool, rows: [Ticket], range: String, newer: String?, older: String?,
        filters: [String: Any] = [:], extra: [String: Any] = [:]
    ) -> String {
        var nav: [String: Any] = ["title": title, "staff": staff, "range": range]
        nav["newer"] = newer
        nav["older"] = older
        var context = extra
        context["site"] = SiteContext.site(config)
        context["list"] = nav
        context["filters"] = filters
        context["rows"] = rows.map { t -> [String: Any] in
            var row: [String: Any] = [
                "number": t.number.rawValue, "title": t.title, "status": t.status.rawValue,
                "status_label": theme.string("status_\(t.status.rawValue)"),
                "org": t.org, "product": t.product, "responsible": t.responsible?.rawValue ?? ""]
            row["sla"] = slaContext(t)
            return row
        }
        return theme.render("ticket-list", context)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
