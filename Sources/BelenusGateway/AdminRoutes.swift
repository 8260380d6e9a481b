import BelenusBuild
import BelenusCore
import BelenusInput
import BelenusMail
import BelenusStore
import BelenusViews
import Foundation

/// `/admin` (SPEC §5): people, companies, products and the audit log, for administrators.
///
/// Every route checks the role on every request (403). A POST also needs the administrator's
/// password typed within `reauth_minutes` (this session's login, or `reauth_password` in the
/// form: 401 with the form kept, nothing changed). A refused form comes back with what was
/// typed and the field named; a change answers 303 to the page that shows it.
extension Gateway {
    /// The signed-in administrator, or 403.
    func administrator(_ user: SignedIn) throws -> Administrator {
        guard user.session.user.role == .admin else { throw GatewayError(403, "only an administrator may use the administration") }
        return Administrator(name: user.session.user.login.rawValue, address: request.remoteAddress)
    }

    /// Whether this session's password is older than `reauth_minutes`.
    func needsReauth(_ user: SignedIn) -> Bool {
        now.timeIntervalSince(user.session.passwordAt) > config.reauthMinutes * 60
    }

    /// Before an administrator's change: the password again when it is not recent (401).
    func confirmAdministrator(_ user: SignedIn) throws -> Administrator {
        let admin = try administrator(user)
        guard needsReauth(user) else { return admin }
        let typed = user.form.value("reauth_password") ?? ""
        guard !typed.isEmpty, let stored = try store.passwordHash(of: user.session.user.login),
              PasswordHasher.verify(typed, against: stored.hash)
        else {
            throw GatewayError(401, "type your password to confirm the change", field: "reauth_password", code: "reauth")
        }
        try store.passwordEntered(session: Secrets.sha256(request.cookies["belenus_session"] ?? ""), at: now)
        return admin
    }

    private func state(_ user: SignedIn, error: (any HTTPResponseError)? = nil) -> GatewayViews.AdminState {
        GatewayViews.AdminState(reauth: needsReauth(user), error: error, saved: request.queryValue("saved") == "1", csrf: user.csrfToken)
    }

    /// Runs an administrator's change; a refusal that names a field (or the password check)
    /// shows `form` again with what was typed, anything else is the error page.
    private func adminChange(_ user: SignedIn, done: String, refused form: (any HTTPResponseError) throws -> Response,
                             _ change: (Administrator) throws -> Void) throws -> Response {
        do {
            try change(try confirmAdministrator(user))
        } catch let error as HTTPResponseError where !request.wantsJSON && (error.formField != nil || error.status == 409) {
            return try form(error)
        }
        return .seeOther(link(done), json: request.wantsJSON)
    }

    private func typed(_ form: FormFields, _ names: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in names { if let value = form.value(name) { values[name] = value } }
        return values
    }

    // MARK: - Pages

    func adminHome(_ user: SignedIn) throws -> Response {
        _ = try administrator(user)
        let users = try store.users(), companies = try store.companies(), products = try store.products()
        let calendars = try store.calendars()
        let latest = try store.auditLog(limit: 10)
        if request.wantsJSON {
            return .json(
                200,
                .object([
                    ("people", .int(users.count)), ("companies", .int(companies.count)), ("products", .int(products.count)),
                    ("calendars", .int(calendars.count)), ("latest", .array(latest.map(Self.json))),
                ]))
        }
        return try page(200) {
            $0.adminHome(
                people: users.count, companies: companies.count, products: products.count, calendars: calendars.count, latest: latest,
                state: state(user))
        }
    }

    func adminUsers(_ user: SignedIn, values: [String: String] = [:], error: (any HTTPResponseError)? = nil) throws -> Response {
        _ = try administrator(user)
        var filters: [String: String] = [:]
        for name in ["q", "role", "org", "active"] { filters[name] = request.queryValue(name).map(ByteText.trimmed) ?? "" }
        let words = TextFolding.folded(filters["q"] ?? "")
        let people = try store.users().filter { person in
            (words.isEmpty || [person.name, person.login.rawValue, person.email].contains {
                ByteText.contains(TextFolding.folded($0), words)
            })
                && (filters["role"]?.isEmpty != false || person.role.rawValue == filters["role"])
                && (filters["org"]?.isEmpty != false || person.org == filters["org"])
                && (filters["active"]?.isEmpty != false || String(!person.disabled) == filters["active"])
        }
        if request.wantsJSON { return .json(200, .object([("users", .array(people.map(Self.json)))])) }
        let orgs = try store.orgs()
        return try page(error?.status ?? 200) {
            $0.adminUsers(people, orgs: orgs, filters: filters, values: values, state: state(user, error: error))
        }
    }

    func adminUser(
        _ login: String, _ user: SignedIn, values: [String: String] = [:], error: (any HTTPResponseError)? = nil
    ) throws -> Response {
        _ = try administrator(user)
        guard let account = try store.user(Login(login)) else { throw GatewayError(404, "no account '\(login)'") }
        let technicians = try technicianChoices()
        if request.wantsJSON { return .json(200, Self.json(account)) }
        let orgs = try store.orgs()
        return try page(error?.status ?? 200) {
            $0.adminUser(account, orgs: orgs, technicians: technicians, values: values, state: state(user, error: error))
        }
    }

    /// - Parameter typed: a refused row's form (`id`, what was typed), shown as typed.
    func adminOrgs(_ user: SignedIn, name: String = "", calendar: String = "", error: (any HTTPResponseError)? = nil,
                   typed: (id: Int64, name: String?, calendar: String?)? = nil) throws -> Response {
        _ = try administrator(user)
        var companies = try store.companies()
        if let typed, let i = companies.firstIndex(where: { $0.id == typed.id }) {
            if let name = typed.name { companies[i].name = name }
            if let calendar = typed.calendar { companies[i].calendar = calendar.isEmpty ? nil : calendar }
        }
        if request.wantsJSON {
            let rows: [JSON] = companies.map {
                .object([("id", .int(Int($0.id))), ("name", .string($0.name)), ("active", .bool(!$0.disabled)), ("people", .int($0.people)),
                         ("calendar", .optional($0.calendar))])
            }
            return .json(200, .object([("orgs", .array(rows))]))
        }
        let calendars = try store.calendars().map(\.calendar.name)
        return try page(error?.status ?? 200) {
            $0.adminOrgs(
                companies, name: name, calendar: calendar, calendars: calendars, siteCalendar: config.calendar,
                state: state(user, error: error))
        }
    }

    /// The calendars (SPEC §3), each with how many companies count in it.
    func adminCalendars(_ user: SignedIn, values: [String: String] = [:], error: (any HTTPResponseError)? = nil,
                        typed: (id: Int64, values: [String: String])? = nil) throws -> Response {
        _ = try administrator(user)
        let companies = try store.companies()
        let rows = try store.calendars().map { stored in
            let counting = companies.filter { ($0.calendar ?? config.calendar) == stored.calendar.name }.count
            return (id: stored.id, calendar: stored.calendar, companies: counting)
        }
        if request.wantsJSON {
            return .json(200, .object([("calendars", .array(rows.map {
                .object([("id", .int(Int($0.id))), ("name", .string($0.calendar.name)), ("zone", .string($0.calendar.zone.name)),
                         ("hours", .string($0.calendar.hours.description)), ("holidays", .string($0.calendar.holidays.description)),
                         ("companies", .int($0.companies))])
            }))]))
        }
        return try page(error?.status ?? 200) {
            $0.adminCalendars(rows, siteCalendar: config.calendar, values: values, typed: typed, state: state(user, error: error))
        }
    }

    /// - Parameter typed: a refused row's form (`id`, what was typed), shown as typed.
    func adminProducts(_ user: SignedIn, values: [String: String] = [:], error: (any HTTPResponseError)? = nil,
                       typed: (id: Int64, name: String?, versions: String?)? = nil) throws -> Response {
        _ = try administrator(user)
        let technicians = try technicianChoices()
        var products = try store.products()
        if let typed, let i = products.firstIndex(where: { $0.id == typed.id }) {
            if let name = typed.name { products[i].name = name }
            if let versions = typed.versions { products[i].versions = Self.list(versions) }
        }
        if request.wantsJSON {
            return .json(200, .object([("products", .array(products.map {
                .object([("id", .int(Int($0.id))), ("name", .string($0.name)), ("versions", .array($0.versions.map { .string($0) })),
                         ("responsible", .optional($0.responsible?.rawValue)), ("active", .bool(!$0.retired))])
            }))]))
        }
        return try page(error?.status ?? 200) {
            $0.adminProducts(products, technicians: technicians, values: values, state: state(user, error: error))
        }
    }

    func adminAudit(_ user: SignedIn) throws -> Response {
        _ = try administrator(user)
        let perPage = 50
        let number = max(1, Route.positive(request.queryValue("page") ?? "") ?? 1)
        let entries = try store.auditLog(limit: perPage + 1, offset: (number - 1) * perPage)
        if request.wantsJSON {
            return .json(200, .object([("page", .int(number)), ("entries", .array(entries.prefix(perPage).map(Self.json)))]))
        }
        return try page(200) {
            $0.adminAudit(Array(entries.prefix(perPage)), page: number, hasNext: entries.count > perPage, state: state(user))
        }
    }

    // MARK: - Changes

    /// Invites a person: the account without a password, and the link by mail after the answer.
    func inviteUser(_ user: SignedIn) throws -> Response {
        let form = user.form
        let values = typed(form, ["login", "name", "email", "role", "org"])
        let login = ByteText.trimmed(values["login"] ?? "")
        // SPEC §5: 303 to the new account's page, as it is.
        return try adminChange(user, done: "/admin/users/\(QueryString.encode(login))",
                               refused: { try adminUsers(user, values: values, error: $0) }) { admin in
            guard let role = Role(rawValue: values["role"] ?? "") else { throw FieldError.unknown("role", values["role"] ?? "") }
            let org = (values["org"] ?? "").isEmpty ? nil : values["org"]
            let person = User(login: Login(login), name: values["name"] ?? "", email: values["email"] ?? "", role: role, org: org)
            let token = Secrets.newToken()
            try store.inviteUser(person, tokenHash: Secrets.sha256(token), at: now, by: admin)
            let views = try views.get()
            let mail = views.accountMail(for: person, link: AccountMail.link(token: token, config: config), invitation: true)
            accountMails.append(AccountMail(mail, to: person.email.trimmingCharacters(in: .whitespaces)))
        }
    }

    /// Edits an account, or (`active`) enables or disables it; a disabled technician's tickets
    /// go to `to`, and their pages are rendered again.
    func editUser(_ login: String, _ user: SignedIn) throws -> Response {
        let form = user.form
        let values = typed(form, ["name", "email", "role", "org", "to"])
        return try adminChange(user, done: "/admin/users/\(QueryString.encode(login))?saved=1",
                               refused: { try adminUser(login, user, values: values, error: $0) }) { admin in
            if let active = form.value("active") {
                guard active == "true" || active == "false" else { throw FieldError.unknown("active", active) }
                let to = (values["to"] ?? "").isEmpty ? nil : Login(values["to"] ?? "")
                let touched = try store.setUserActive(Login(login), active == "true", handOverTo: to, at: now, by: admin,
                                                      actor: user.session.user.login)
                regeneratePages(touched)
                return
            }
            let role = try values["role"].map { text in
                guard let role = Role(rawValue: text) else { throw FieldError.unknown("role", text) }
                return role
            }
            let org: String?? = values["org"].map { $0.isEmpty ? nil : $0 }
            _ = try store.editUser(
                Login(login), .init(name: values["name"], email: values["email"], role: role, org: org), at: now, by: admin)
        }
    }

    func resetUser(_ login: String, _ user: SignedIn) throws -> Response {
        try adminChange(user, done: "/admin/users/\(QueryString.encode(login))?saved=1",
                        refused: { try adminUser(login, user, error: $0) }) { admin in
            let token = Secrets.newToken()
            let account = try store.adminResetLink(for: Login(login), tokenHash: Secrets.sha256(token), at: now, by: admin)
            let views = try views.get()
            let link = AccountMail.link(token: token, config: config)
            accountMails.append(
                AccountMail(views.accountMail(for: account, link: link, invitation: !account.hasPassword), to: account.email))
        }
    }

    func addOrg(_ user: SignedIn) throws -> Response {
        let name = user.form.value("name") ?? "", calendar = user.form.value("calendar") ?? ""
        let refused = { (error: any HTTPResponseError) in try self.adminOrgs(user, name: name, calendar: calendar, error: error) }
        return try adminChange(user, done: "/admin/orgs?saved=1", refused: refused) { admin in
            if !calendar.isEmpty, try store.calendar(named: calendar) == nil { throw FieldError.unknown("calendar", calendar) }
            try store.addOrg(name, at: now, by: admin)
            if !calendar.isEmpty {
                try store.setOrgCalendar(
                    ByteText.trimmed(name), to: calendar, defaultCalendar: config.calendar, at: now, policy: config.slaPolicy, by: admin)
            }
        }
    }

    func editOrg(_ id: Int64, _ user: SignedIn) throws -> Response {
        let form = user.form
        let typed = (id: id, name: form.value("name"), calendar: form.value("calendar"))
        return try adminChange(user, done: "/admin/orgs?saved=1", refused: { try adminOrgs(user, error: $0, typed: typed) }) { admin in
            guard let company = try store.companies().first(where: { $0.id == id }) else { throw GatewayError(404, "no company \(id)") }
            if let calendar = form.value("calendar"), calendar != (company.calendar ?? "") {
                markStale(try store.setOrgCalendar(
                    company.name, to: calendar.isEmpty ? nil : calendar, defaultCalendar: config.calendar, at: now,
                    policy: config.slaPolicy, by: admin))
            }
            if let name = form.value("name"), ByteText.trimmed(name) != company.name {
                markStale(try store.renameOrg(company.name, to: name, at: now, by: admin))
            }
            let current = try store.companies().first(where: { $0.id == id })?.name ?? company.name
            if let active = form.value("active") { try store.setOrgActive(current, active == "true", at: now, by: admin) }
        }
    }

    func addCalendar(_ user: SignedIn) throws -> Response {
        let values = typed(user.form, ["name", "zone", "hours", "holidays"])
        let refused = { (error: any HTTPResponseError) in try self.adminCalendars(user, values: values, error: error) }
        return try adminChange(user, done: "/admin/calendars?saved=1", refused: refused) { admin in
            let calendar = BusinessCalendar(
                name: values["name"] ?? "", zone: try Store.zone(values["zone"] ?? ""),
                hours: try WeeklyHours(parsing: values["hours"] ?? ""),
                holidays: try Holidays(parsing: values["holidays"] ?? ""))
            try store.addCalendar(calendar, at: now, by: admin)
        }
    }

    /// A calendar's zone, hours or holidays: the open tickets that count in it are laid out
    /// again, and their pages rendered again at their next view.
    func editCalendar(_ id: Int64, _ user: SignedIn) throws -> Response {
        let values = typed(user.form, ["zone", "hours", "holidays"])
        let refused = { (error: any HTTPResponseError) in try self.adminCalendars(user, error: error, typed: (id, values)) }
        return try adminChange(user, done: "/admin/calendars?saved=1", refused: refused) { admin in
            guard let stored = try store.calendars().first(where: { $0.id == id }) else { throw GatewayError(404, "no calendar \(id)") }
            markStale(try store.editCalendar(
                stored.calendar.name, zone: try values["zone"].map(Store.zone), hours: try values["hours"].map(WeeklyHours.init(parsing:)),
                holidays: try values["holidays"].map(Holidays.init(parsing:)), at: now, policy: config.slaPolicy, by: admin))
        }
    }

    func addProduct(_ user: SignedIn) throws -> Response {
        let values = typed(user.form, ["name", "versions", "responsible"])
        let refused = { (error: any HTTPResponseError) in try self.adminProducts(user, values: values, error: error) }
        return try adminChange(user, done: "/admin/products?saved=1", refused: refused) { admin in
            let responsible = (values["responsible"] ?? "").isEmpty ? nil : Login(values["responsible"] ?? "")
            try store.addProduct(
                values["name"] ?? "", versions: Self.list(values["versions"] ?? ""), responsible: responsible, at: now, by: admin)
        }
    }

    func editProduct(_ id: Int64, _ user: SignedIn) throws -> Response {
        let form = user.form
        let typed = (id: id, name: form.value("name"), versions: form.value("versions"))
        let refused = { (error: any HTTPResponseError) in try self.adminProducts(user, error: error, typed: typed) }
        return try adminChange(user, done: "/admin/products?saved=1", refused: refused) { admin in
            guard let product = try store.products().first(where: { $0.id == id }) else { throw GatewayError(404, "no product \(id)") }
            let responsible: Login?? = form.value("responsible").map { $0.isEmpty ? Login?.none : Login($0) }
            let edit = Store.ProductEdit(
                name: form.value("name"), versions: form.value("versions").map(Self.list), responsible: responsible,
                retired: form.value("active").map { $0 != "true" })
            markStale(try store.editProduct(product.name, edit, at: now, by: admin))
        }
    }

    /// Pages that show a name that changed: rendered again at their next view or build.
    private func markStale(_ numbers: [TicketNumber]) {
        try? store.markPagesStale(numbers.map(SiteBuilder.ticketPagePath))
    }

    static func json(_ user: User) -> JSON {
        .object([("login", .string(user.login.rawValue)), ("name", .string(user.name)), ("email", .string(user.email)),
                 ("role", .string(user.role.rawValue)), ("org", .optional(user.org)), ("active", .bool(!user.disabled)),
                 ("invited", .bool(!user.hasPassword)), ("bouncing", .bool(user.bouncingSince != nil))])
    }

    /// Times in JSON are ISO 8601 UTC (SPEC §5).
    static func json(_ entry: AuditEntry) -> JSON {
        .object([
            ("at", .string(Timestamp.iso(entry.at))), ("actor", .string(entry.actor)), ("address", .string(entry.address)),
            ("action", .string(entry.action)), ("subject", .string(entry.subject)),
            (
                "changes",
                .array(entry.changes.map { .object([("field", .string($0.field)), ("old", .string($0.old)), ("new", .string($0.new))]) })
            ),
        ])
    }

    /// The active technicians and administrators by login, with their names: what a form offers.
    private func technicianChoices() throws -> [(login: Login, name: String)] {
        let names = try store.staffNames()
        return try store.technicians().sorted { $0.rawValue < $1.rawValue }.map { (login: $0, name: names[$0] ?? $0.rawValue) }
    }

    static func list(_ text: String) -> [String] {
        ByteText.split(text, at: ",").map(ByteText.trimmed).filter { !$0.isEmpty }
    }
}
