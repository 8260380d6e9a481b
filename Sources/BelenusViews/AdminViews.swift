import BelenusCore
import Foundation

/// The administration's pages (`/admin`, SPEC §5): people, companies, products and the audit
/// log, rendered from what the gateway read. Every form of them keeps what was typed when it
/// is refused, names the field, and asks for the administrator's password when `reauth`.
extension GatewayViews {
    /// What every administration page shows around its content.
    public struct AdminState: Sendable {
        public var reauth: Bool
        public var error: (any HTTPResponseError)?
        public var saved: Bool
        public var csrf: String
        public init(reauth: Bool, error: (any HTTPResponseError)? = nil, saved: Bool = false, csrf: String) {
            self.reauth = reauth
            self.error = error
            self.saved = saved
            self.csrf = csrf
        }
    }

    private func frame(_ section: String, _ state: AdminState) -> AdminFrame {
        AdminFrame(section: section, reauth: state.reauth, error: state.error.map(adminError), saved: state.saved)
    }

    private func adminError(_ error: any HTTPResponseError) -> FormError {
        FormError(
            fieldLabel: fieldLabel(error.formField ?? "form"),
            message: message(code: error.code, values: error.values, fallback: error.message))
    }

    private func roleOptions(_ chosen: String, any: Bool = false) -> [AdminOption] {
        (any ? [AdminOption(value: "", label: theme.string("admin_any"), selected: chosen.isEmpty)] : [])
            + Role.allCases.map {
                AdminOption(value: $0.rawValue, label: theme.string("role_\($0.rawValue)"), selected: $0.rawValue == chosen)
            }
    }

    private func orgOptions(_ names: [String], _ chosen: String, none: String) -> [AdminOption] {
        [AdminOption(value: "", label: none, selected: chosen.isEmpty)]
            + names.map { AdminOption(value: $0, label: $0, selected: $0 == chosen) }
    }

    public func adminHome(people: Int, companies: Int, products: Int, calendars: Int, latest: [AuditEntry], state: AdminState) -> [UInt8] {
        let model = AdminHomePage(
            frame: frame("", state), people: people, companies: companies, products: products, calendars: calendars,
            latest: latest.map(auditRow))
        return theme.render(theme.pages.admin, model, globals: globals(state.csrf))
    }

    /// People, filtered by `filters` (`q`, `role`, `org`, `active`), and the invitation form with `values`.
    public func adminUsers(
        _ users: [User], orgs: [String], filters: [String: String], values: [String: String], state: AdminState
    ) -> [UInt8] {
        let active = filters["active"] ?? ""
        let model = AdminUsersPage(
            frame: frame("users", state), query: filters["q"] ?? "",
            roleFilter: roleOptions(filters["role"] ?? "", any: true),
            orgFilter: orgOptions(orgs, filters["org"] ?? "", none: theme.string("admin_any")),
            activeFilter: [("", "admin_any"), ("true", "admin_active"), ("false", "admin_disabled")].map {
                AdminOption(value: $0.0, label: theme.string($0.1), selected: $0.0 == active)
            },
            rows: users.map {
                .init(login: $0.login.rawValue, name: $0.name, email: $0.email, roleLabel: theme.string("role_\($0.role.rawValue)"),
                      org: $0.org ?? "", active: !$0.disabled, invited: !$0.hasPassword, bouncing: $0.bouncingSince != nil)
            },
            values: .init(login: values["login"] ?? "", name: values["name"] ?? "", email: values["email"] ?? ""),
            roles: roleOptions(values["role"] ?? "client"), orgs: orgOptions(orgs, values["org"] ?? "", none: theme.string("admin_no_org")))
        return theme.render(theme.pages.adminUsers, model, globals: globals(state.csrf))
    }

    /// One account's form; `values` (a refused form) win over the stored ones.
    public func adminUser(_ user: User, orgs: [String], technicians: [(login: Login, name: String)], values: [String: String],
                          state: AdminState) -> [UInt8] {
        let role = values["role"] ?? user.role.rawValue
        let model = AdminUserPage(
            frame: frame("users", state), login: user.login.rawValue, name: values["name"] ?? user.name,
            email: values["email"] ?? user.email,
            roles: roleOptions(role), orgs: orgOptions(orgs, values["org"] ?? user.org ?? "", none: theme.string("admin_no_org")),
            active: !user.disabled, staff: user.role != .client,
            successors: [AdminOption(value: "", label: theme.string("admin_successor_rule"), selected: (values["to"] ?? "").isEmpty)]
                + technicians.filter { $0.login != user.login }.map {
                    AdminOption(value: $0.login.rawValue, label: $0.name, selected: $0.login.rawValue == values["to"])
                })
        return theme.render(theme.pages.adminUser, model, globals: globals(state.csrf))
    }

    /// - Parameters:
    ///   - calendars: the calendars' names; `siteCalendar` is the one a company without its own
    ///     counts in, offered first as the empty choice.
    public func adminOrgs(
        _ companies: [Company], name: String, calendar: String, calendars: [String], siteCalendar: String, state: AdminState
    ) -> [UInt8] {
        func options(_ chosen: String) -> [AdminOption] {
            [AdminOption(value: "", label: theme.string("admin_site_calendar", siteCalendar), selected: chosen.isEmpty)]
                + calendars.map { AdminOption(value: $0, label: $0, selected: $0 == chosen) }
        }
        let model = AdminOrgsPage(
            frame: frame("orgs", state),
            rows: companies.map {
                .init(
                    id: Int($0.id), name: $0.name, active: !$0.disabled, people: $0.people,
                    peopleLabel: theme.string("admin_people_count", count: $0.people), calendars: options($0.calendar ?? ""))
            },
            name: name, calendars: options(calendar))
        return theme.render(theme.pages.adminOrgs, model, globals: globals(state.csrf))
    }

    /// The calendars, each with the number of companies that count in it, and the form to add
    /// one with `values` (`name`, `zone`, `hours`, `holidays`); `typed`: a refused row's form
    /// (its id and what was typed), shown as typed.
    public func adminCalendars(
        _ calendars: [(id: Int64, calendar: BusinessCalendar, companies: Int)], siteCalendar: String, values: [String: String],
        typed: (id: Int64, values: [String: String])? = nil, state: AdminState
    ) -> [UInt8] {
        let model = AdminCalendarsPage(
            frame: frame("calendars", state),
            rows: calendars.map {
                let kept = $0.id == typed?.id ? typed?.values ?? [:] : [:]
                return .init(
                    id: Int($0.id), name: $0.calendar.name, zone: kept["zone"] ?? $0.calendar.zone.name,
                    hours: kept["hours"] ?? $0.calendar.hours.description, holidays: kept["holidays"] ?? $0.calendar.holidays.description,
                    companies: $0.companies, companiesLabel: theme.string("admin_companies_count", count: $0.companies),
                    isDefault: $0.calendar.name == siteCalendar)
            },
            name: values["name"] ?? "", zone: values["zone"] ?? config.timezone, hours: values["hours"] ?? "mon-fri 09:00-18:00",
            holidays: values["holidays"] ?? "mx-lft")
        return theme.render(theme.pages.adminCalendars, model, globals: globals(state.csrf))
    }

    public func adminProducts(_ products: [Product], technicians: [(login: Login, name: String)], values: [String: String],
                              state: AdminState) -> [UInt8] {
        func options(_ chosen: String) -> [AdminOption] {
            [AdminOption(value: "", label: theme.string("admin_least_busy"), selected: chosen.isEmpty)]
                + technicians.map { AdminOption(value: $0.login.rawValue, label: $0.name, selected: $0.login.rawValue == chosen) }
        }
        let model = AdminProductsPage(
            frame: frame("products", state),
            rows: products.map {
                .init(id: Int($0.id), name: $0.name, versions: $0.versions.joined(separator: ", "),
                      technicians: options($0.responsible?.rawValue ?? ""), active: !$0.retired)
            },
            name: values["name"] ?? "", versions: values["versions"] ?? "", technicians: options(values["responsible"] ?? ""))
        return theme.render(theme.pages.adminProducts, model, globals: globals(state.csrf))
    }

    public func adminAudit(_ entries: [AuditEntry], page: Int, hasNext: Bool, state: AdminState) -> [UInt8] {
        let model = AdminAuditPage(frame: frame("audit", state), rows: entries.map(auditRow), page: page, hasNext: hasNext)
        return theme.render(theme.pages.adminAudit, model, globals: globals(state.csrf))
    }

    private func auditRow(_ entry: AuditEntry) -> AdminAuditPage.Row {
        AdminAuditPage.Row(
            atISO: Timestamp.iso(entry.at), atDisplay: theme.display(entry.at), actor: entry.actor, address: entry.address,
            action: entry.action, subject: entry.subject,
            changes: entry.changes.map { .init(field: theme.strings["field_\($0.field)"] ?? $0.field, old: $0.old, new: $0.new) })
    }
}
