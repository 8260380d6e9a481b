import BelenusCore
import BelenusInput
import BelenusStore

/// The routes of SPEC §5 in one table: method, path pattern, who may ask, and the handler.
///
/// Before a handler runs, the steps its route needs have run: for a POST the origin, size, type,
/// body and CSRF checks (`postedForm`), for a signed-in route the session. A handler gets what
/// those steps established in its context, typed: a `SignedIn` always has a session.
struct Route: Sendable {
    enum Segment: Sendable {
        case literal(String)
        /// A ticket number: digits, more than 0.
        case ticket
        /// A file's id: digits, more than 0.
        case file
        /// An account's login: any segment.
        case login
    }

    enum Handler: Sendable {
        case anyone(@Sendable (Gateway, RouteMatch, Visitor) throws -> Response)
        case signedIn(@Sendable (Gateway, RouteMatch, SignedIn) throws -> Response)
    }

    let method: String
    let pattern: [Segment]
    let handler: Handler

    init(_ method: String, _ path: String, _ handler: Handler) {
        self.method = method
        self.pattern = ByteText.split(path, at: "/").map {
            switch $0 {
            case ":number": .ticket
            case ":id": .file
            case ":login": .login
            default: .literal($0)
            }
        }
        self.handler = handler
    }

    static let table: [Route] = [
        Route("GET", "/", .anyone { g, _, _ in .seeOther(g.link("/tickets"), json: g.request.wantsJSON) }),
        Route("GET", "/login", .anyone { g, _, _ in g.loginForm(status: 200, error: nil, login: "") }),
        Route("POST", "/login", .anyone { g, _, visitor in try g.login(visitor.form) }),
        Route("POST", "/logout", .signedIn { g, _, _ in try g.logout() }),
        Route("GET", "/password/forgot", .anyone { g, _, _ in try g.forgotPasswordForm() }),
        Route("POST", "/password/forgot", .anyone { g, _, visitor in try g.forgotPassword(visitor.form) }),
        Route("GET", "/password/reset", .anyone { g, _, _ in try g.resetPasswordForm() }),
        Route("POST", "/password/reset", .anyone { g, _, visitor in try g.resetPassword(visitor.form) }),
        Route("GET", "/account", .signedIn { g, _, user in try g.accountPage(user) }),
        Route("POST", "/account/password", .signedIn { g, _, user in try g.changePassword(user) }),
        Route("GET", "/tickets", .signedIn { g, _, user in try g.ticketList(user) }),
        Route("POST", "/tickets", .signedIn { g, _, user in try g.openTicket(user) }),
        Route("GET", "/tickets/new", .signedIn { g, _, user in try g.newTicketForm(user) }),
        Route("GET", "/tickets/:number", .signedIn { g, m, user in try g.showTicket(m.ticket, user) }),
        Route("GET", "/tickets/:number/files/:id", .signedIn { g, m, user in try g.download(m.file, of: m.ticket, user) }),
        Route("POST", "/tickets/:number/comments", .signedIn { g, m, user in try g.act(.comment, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/reopen", .signedIn { g, m, user in try g.act(.reopen, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/approve", .signedIn { g, m, user in try g.act(.approve, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/close", .signedIn { g, m, user in try g.act(.close, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/assign", .signedIn { g, m, user in try g.act(.assign, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/update", .signedIn { g, m, user in try g.act(.update, on: m.ticket, user) }),
        Route("POST", "/tickets/:number/publish", .signedIn { g, m, user in try g.act(.publish, on: m.ticket, user) }),
        Route("GET", "/go", .signedIn { g, _, user in try g.go(user) }),
        Route("GET", "/dashboard", .signedIn { g, _, user in try g.dashboard(user) }),
        Route("GET", "/kb/search", .anyone { g, _, _ in try g.kbSearch() }),
        Route("GET", "/admin", .signedIn { g, _, user in try g.adminHome(user) }),
        Route("GET", "/admin/users", .signedIn { g, _, user in try g.adminUsers(user) }),
        Route("POST", "/admin/users", .signedIn { g, _, user in try g.inviteUser(user) }),
        Route("GET", "/admin/users/:login", .signedIn { g, m, user in try g.adminUser(m.login, user) }),
        Route("POST", "/admin/users/:login", .signedIn { g, m, user in try g.editUser(m.login, user) }),
        Route("POST", "/admin/users/:login/reset", .signedIn { g, m, user in try g.resetUser(m.login, user) }),
        Route("GET", "/admin/orgs", .signedIn { g, _, user in try g.adminOrgs(user) }),
        Route("POST", "/admin/orgs", .signedIn { g, _, user in try g.addOrg(user) }),
        Route("POST", "/admin/orgs/:id", .signedIn { g, m, user in try g.editOrg(m.file, user) }),
        Route("GET", "/admin/products", .signedIn { g, _, user in try g.adminProducts(user) }),
        Route("POST", "/admin/products", .signedIn { g, _, user in try g.addProduct(user) }),
        Route("POST", "/admin/products/:id", .signedIn { g, m, user in try g.editProduct(m.file, user) }),
        Route("GET", "/admin/calendars", .signedIn { g, _, user in try g.adminCalendars(user) }),
        Route("POST", "/admin/calendars", .signedIn { g, _, user in try g.addCalendar(user) }),
        Route("POST", "/admin/calendars/:id", .signedIn { g, m, user in try g.editCalendar(m.file, user) }),
        Route("GET", "/admin/audit", .signedIn { g, _, user in try g.adminAudit(user) }),
    ]

    /// The values a path holds where its pattern has `:number` and `:id`.
    func match(_ parts: [String]) -> RouteMatch? {
        guard parts.count == pattern.count else { return nil }
        var found = RouteMatch()
        for (segment, part) in zip(pattern, parts) {
            switch segment {
            case .literal(let text):
                guard ByteText.same(text, part) else { return nil }
            case .ticket:
                guard let n = Self.positive(part) else { return nil }
                found.ticket = TicketNumber(n)
            case .file:
                guard let n = Self.positive(part) else { return nil }
                found.file = Int64(n)
            case .login:
                guard !part.isEmpty else { return nil }
                found.login = part
            }
        }
        return found
    }

    static func positive(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text), n > 0 else { return nil }
        return n
    }
}

/// What a path held: the ticket and file of `:number` and `:id` (0 where the route has none).
struct RouteMatch {
    var ticket = TicketNumber(0)
    var file: Int64 = 0
    var login = ""
}

/// A request to a route anyone may use; its form is empty but for a POST.
struct Visitor {
    let form: FormFields
}

/// A request of a signed-in person: the session the steps found, and for a POST its form, whose
/// CSRF token was checked against that session.
struct SignedIn {
    let session: Session
    /// The token of the person's `belenus_csrf` cookie when it is this session's, else "": what
    /// the pages this handler renders write into their forms.
    let csrfToken: String
    let form: FormFields
    var actor: Actor { session.user.actor }
}

extension Gateway {
    /// Route (404, 405), then the steps of that route, then its handler.
    func dispatch() throws -> Response {
        if let malformed = request.malformed { throw malformed }
        let parts = ByteText.split(request.path, at: "/")
        let matching = Route.table.compactMap { route in route.match(parts).map { (route, $0) } }
        guard !matching.isEmpty else { throw GatewayError(404, "no page at \(request.path)") }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let (route, match) = matching.first(where: { $0.0.method == method }) else {
            var methods = matching.map(\.0.method)
            if methods.contains("GET") { methods.append("HEAD") }
            var response = errorResponse(GatewayError(405, "\(request.method) is not allowed here"))
            response.headers.append((name: "Allow", value: methods.joined(separator: ", ")))
            return response
        }
        let posting = route.method == "POST"
        switch route.handler {
        case .anyone(let handle):
            return try handle(self, match, Visitor(form: posting ? try postedForm(requiringSession: false) : FormFields()))
        case .signedIn(let handle):
            let form = posting ? try postedForm() : FormFields()
            let session = try requireSession()
            return try handle(self, match, SignedIn(session: session, csrfToken: csrfToken, form: form))
        }
    }
}
