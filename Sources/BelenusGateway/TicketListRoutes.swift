import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET /tickets` (the list, SPEC §3's filters) and `GET /go`.
extension Gateway {
    static let listPageSize = 50

    /// `GET /tickets`: the filters of SPEC §3, newest first, 50 a page; a client sees only
    /// their company's tickets, whatever `org` says. A value typed in the URL matches without
    /// case or accents (`product=nomina` finds Nómina; a technician by login or name); a number
    /// in the HTML form goes straight to that ticket.
    func ticketList(_ user: SignedIn) throws -> Response {
        let actor = user.actor
        let users = try store.users()
        let names = Dictionary(users.map { ($0.login, $0.name) }, uniquingKeysWith: { first, _ in first })
        /// In the order of their names without case or accents, each name folded once.
        func byName(_ people: [User]) -> [(login: Login, name: String)] {
            people.map { (key: TextFolding.folded($0.name), login: $0.login, name: $0.name) }
                .sorted { ($0.key, $0.name) < ($1.key, $1.name) }.map { (login: $0.login, name: $0.name) }
        }
        let technicians = byName(users.filter { $0.role != .client })
        let people = actor.role.isStaff ? [] : byName(users.filter { $0.role == .client && $0.org == actor.org })
        let choices = GatewayViews.ListChoices(
            orgs: actor.role.isStaff ? try store.orgs() : [], people: people, technicians: technicians,
            products: try store.products().map(\.name))

        var filter = TicketFilter()
        var echo: [String: String] = [:]
        func text(_ name: String) -> String? {
            guard let value = request.queryValue(name).map(ByteText.trimmed), !value.isEmpty else { return nil }
            echo[name] = value
            return value
        }
        func parsed<T>(_ name: String, _ make: (String) -> T?) throws(GatewayError) -> T? {
            guard let value = text(name) else { return nil }
            guard let result = make(value) else {
                throw GatewayError(400, "'\(value)' is not a valid value", field: name, code: "not_a_choice", values: [value])
            }
            return result
        }
        /// The canonical value among `options` that `name`'s value names without case or
        /// accents (by value or by label); else the value as typed, which matches nothing.
        func matched(_ name: String, _ options: [(value: String, label: String)]) -> String? {
            guard let typed = text(name) else { return nil }
            let key = TextFolding.folded(typed)
            let value = options.first { option in
                [option.value, option.label].contains { ByteText.same(TextFolding.folded($0), key) }
            }?.value ?? typed
            echo[name] = value
            return value
        }
        filter.number = try parsed("number") { Self.ticketNumber($0).map { TicketNumber($0) } }
        if let number = filter.number, !request.wantsJSON {
            return .seeOther(link("/go?number=\(number)"), json: false)
        }
        filter.status = try parsed("status") { TicketStatus(rawValue: $0) }
        filter.waitingOn = try parsed("waiting_on") { WaitingOn(rawValue: $0) }
        filter.sla = try parsed("sla") { SLAState(rawValue: $0) }
        filter.providerRef = text("provider_ref")
        filter.product = matched("product", choices.products.map { ($0, $0) })
        let technicianOptions = technicians.map { (value: $0.login.rawValue, label: $0.name) }
        filter.responsible = matched("responsible", technicianOptions).map { Login($0) }
        filter.assigned = matched("assigned", technicianOptions).map { Login($0) }
        let requesters = actor.role.isStaff ? users.filter { $0.role == .client }.map { (login: $0.login, name: $0.name) } : people
        filter.requester = matched("requester", requesters.map { (value: $0.login.rawValue, label: $0.name) }).map { Login($0) }
        filter.words = text("q").map { [$0] } ?? []  // cut into words by Unicode scalar in the store
        if actor.role.isStaff {
            filter.org = matched("org", choices.orgs.map { ($0, $0) })
        } else {
            filter.org = actor.org ?? "\u{0}"
        }
        let pageNumber = try parsed("page") { Int($0).flatMap { $0 > 0 && $0 < 1_000_000 ? $0 : nil } } ?? 1
        echo["page"] = nil
        let result = try store.tickets(matching: filter, page: pageNumber, pageSize: Self.listPageSize, now: now)
        if request.wantsJSON {
            return .json(200, .object([
                ("total", .int(result.total)), ("total_exact", .bool(result.totalIsExact)), ("page", .int(pageNumber)),
                ("tickets", .array(result.tickets.map { .object(ticketFields($0, names: names)) })),
            ]))
        }
        let query = echo.sorted { $0.key < $1.key }.map { "\($0.key)=\(QueryString.encode($0.value))" }.joined(separator: "&")
        return try page(200) { views in
            let title = actor.role.isStaff ? views.string("list_staff") : views.theme.string("list_org", actor.org ?? "")
            return views.ticketList(
                result, pageNumber: pageNumber, pageSize: Self.listPageSize, staff: actor.role.isStaff, title: title, filters: echo,
                choices: choices, names: names, query: query, csrf: user.csrfToken, now: now)
        }
    }

    /// The fields of a ticket in JSON (SPEC §5), list rows and `GET /tickets/N` alike.
    func ticketFields(_ t: Ticket, names: [Login: String]) -> [(String, JSON)] {
        func name(_ login: Login?) -> JSON { .optional(login.map { names[$0] ?? $0.rawValue }) }
        return [
            ("number", .int(t.number.rawValue)), ("title", .string(t.title)), ("status", .string(t.status.rawValue)),
            ("waiting_on", .string(t.waitingOn.rawValue)),
            ("sla", .optional(t.slaState(at: now)?.rawValue)),
            ("org", .string(t.org)), ("product", .string(t.product)),
            ("responsible", .optional(t.responsible?.rawValue)), ("assigned", .optional(t.assigned?.rawValue)),
            ("due_at", .string(Timestamp.iso(t.dueAt))), ("due_soon_at", .string(Timestamp.iso(t.dueSoonAt))),
            ("calendar", .string(t.calendar)), ("created_at", .string(Timestamp.iso(t.createdAt))),
            ("requester", .string(t.requester.rawValue)), ("requester_name", name(t.requester)),
            ("responsible_name", name(t.responsible)), ("assigned_name", name(t.assigned)),
        ]
    }

    /// "42" or "#42" as typed in a number box: the "#" cut by byte (a combining mark after it
    /// makes the text no number at all), 1 or more.
    static func ticketNumber(_ text: String) -> Int? {
        let digits = ByteText.hasPrefix(text, "#") ? String(decoding: text.utf8.dropFirst(), as: UTF8.self) : text
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }

    /// `GET /go?number=N`: to ticket N when the person may see it, else 404.
    func go(_ user: SignedIn) throws -> Response {
        let actor = user.actor
        guard let n = Self.ticketNumber(ByteText.trimmed(request.queryValue("number") ?? "")) else {
            throw GatewayError(400, "a ticket number, such as 42", field: "number")
        }
        _ = try visibleTicket(TicketNumber(n), by: actor)
        return .seeOther(link("/tickets/\(n)"), json: request.wantsJSON)
    }
}
