import BelenusTemplates

/// One choice of a `<select>`.
struct AdminOption: TemplateModel {
    var value: String
    var label: String
    var selected: Bool
    static let templateFields = TemplateFields<AdminOption> {
        $0.text("value") { $0.value }
        $0.text("label") { $0.label }
        $0.flag("selected") { $0.selected }
    }
}

/// What every administration page shares: which section is shown, whether a change needs the
/// administrator's password again (`reauth`), the refused form's error, and a saved notice.
struct AdminFrame: TemplateModel {
    var section: String
    var reauth: Bool
    var error: FormError?
    var saved: Bool
    static let templateFields = TemplateFields<AdminFrame> {
        $0.flag("people") { $0.section == "users" }
        $0.flag("companies") { $0.section == "orgs" }
        $0.flag("products") { $0.section == "products" }
        $0.flag("audit") { $0.section == "audit" }
        $0.flag("calendars") { $0.section == "calendars" }
        $0.flag("reauth") { $0.reauth }
        $0.object("error", \.error)
        $0.flag("saved") { $0.saved }
    }
}

/// `admin.mustache`: the overview, with the newest lines of the audit log.
struct AdminHomePage: TemplateModel {
    var frame: AdminFrame
    var people: Int
    var companies: Int
    var products: Int
    var calendars: Int
    var latest: [AdminAuditPage.Row]
    static let templateFields = TemplateFields<AdminHomePage> {
        $0.object("admin", \.frame)
        $0.number("people_count") { $0.people }
        $0.number("companies_count") { $0.companies }
        $0.number("products_count") { $0.products }
        $0.number("calendars_count") { $0.calendars }
        $0.list("latest") { $0.latest }
    }
}

/// `admin-users.mustache`: people with filters, and the invitation form.
struct AdminUsersPage: TemplateModel {
    struct Row: TemplateModel {
        var login: String
        var name: String
        var email: String
        var roleLabel: String
        var org: String
        var active: Bool
        var invited: Bool
        /// Mail to the address came back undeliverable (a delivery report).
        var bouncing: Bool = false
        static let templateFields = TemplateFields<Row> {
            $0.text("login") { $0.login }
            $0.text("name") { $0.name }
            $0.text("email") { $0.email }
            $0.text("role_label") { $0.roleLabel }
            $0.text("org") { $0.org }
            $0.flag("active") { $0.active }
            $0.flag("invited") { $0.invited }
            $0.flag("bouncing") { $0.bouncing }
        }
    }

    struct Values: TemplateModel {
        var login: String
        var name: String
        var email: String
        static let templateFields = TemplateFields<Values> {
            $0.text("login") { $0.login }
            $0.text("name") { $0.name }
            $0.text("email") { $0.email }
        }
    }

    var frame: AdminFrame
    var query: String
    var roleFilter: [AdminOption]
    var orgFilter: [AdminOption]
    var activeFilter: [AdminOption]
    var rows: [Row]
    var values: Values
    var roles: [AdminOption]
    var orgs: [AdminOption]
    static let templateFields = TemplateFields<AdminUsersPage> {
        $0.object("admin", \.frame)
        $0.text("q") { $0.query }
        $0.list("role_filter") { $0.roleFilter }
        $0.list("org_filter") { $0.orgFilter }
        $0.list("active_filter") { $0.activeFilter }
        $0.list("rows") { $0.rows }
        $0.flag("has_rows") { !$0.rows.isEmpty }
        $0.object("values", \.values)
        $0.list("roles") { $0.roles }
        $0.list("orgs") { $0.orgs }
    }
}

/// `admin-user.mustache`: one account's form, its state, a reset link, and to whom a
/// technician's tickets go when disabled.
struct AdminUserPage: TemplateModel {
    var frame: AdminFrame
    var login: String
    var name: String
    var email: String
    var roles: [AdminOption]
    var orgs: [AdminOption]
    var active: Bool
    var staff: Bool
    var successors: [AdminOption]
    static let templateFields = TemplateFields<AdminUserPage> {
        $0.object("admin", \.frame)
        $0.text("login") { $0.login }
        $0.text("name") { $0.name }
        $0.text("email") { $0.email }
        $0.list("roles") { $0.roles }
        $0.list("orgs") { $0.orgs }
        $0.flag("active") { $0.active }
        $0.flag("staff") { $0.staff }
        $0.list("successors") { $0.successors }
    }
}

/// `admin-orgs.mustache`: the companies, each with its own form, and the form to add one.
struct AdminOrgsPage: TemplateModel {
    struct Row: TemplateModel {
        var id: Int
        var name: String
        var active: Bool
        var people: Int
        /// "personas", "persona": the word after the number.
        var peopleLabel: String
        /// The calendars to choose from, the first being the site's.
        var calendars: [AdminOption]
        static let templateFields = TemplateFields<Row> {
            $0.number("id") { $0.id }
            $0.text("name") { $0.name }
            $0.flag("active") { $0.active }
            $0.number("people") { $0.people }
            $0.text("people_label") { $0.peopleLabel }
            $0.list("calendars") { $0.calendars }
        }
    }

    var frame: AdminFrame
    var rows: [Row]
    var name: String
    var calendars: [AdminOption]
    static let templateFields = TemplateFields<AdminOrgsPage> {
        $0.object("admin", \.frame)
        $0.list("rows") { $0.rows }
        $0.text("name") { $0.name }
        $0.list("calendars") { $0.calendars }
    }
}

/// `admin-calendars.mustache`: the business-hours calendars, each with its own form (zone,
/// hours, holidays), and the form to add one.
struct AdminCalendarsPage: TemplateModel {
    struct Row: TemplateModel {
        var id: Int
        var name: String
        var zone: String
        var hours: String
        var holidays: String
        var companies: Int
        /// "empresas", "empresa": the word after the number.
        var companiesLabel: String
        var isDefault: Bool
        static let templateFields = TemplateFields<Row> {
            $0.number("id") { $0.id }
            $0.text("name") { $0.name }
            $0.text("zone") { $0.zone }
            $0.text("hours") { $0.hours }
            $0.text("holidays") { $0.holidays }
            $0.number("companies") { $0.companies }
            $0.text("companies_label") { $0.companiesLabel }
            $0.flag("default") { $0.isDefault }
        }
    }

    var frame: AdminFrame
    var rows: [Row]
    var name: String
    var zone: String
    var hours: String
    var holidays: String
    static let templateFields = TemplateFields<AdminCalendarsPage> {
        $0.object("admin", \.frame)
        $0.list("rows") { $0.rows }
        $0.text("name") { $0.name }
        $0.text("zone") { $0.zone }
        $0.text("hours") { $0.hours }
        $0.text("holidays") { $0.holidays }
    }
}

/// `admin-products.mustache`: the products, each with its own form, and the form to add one.
struct AdminProductsPage: TemplateModel {
    struct Row: TemplateModel {
        var id: Int
        var name: String
        var versions: String
        var technicians: [AdminOption]
        var active: Bool
        static let templateFields = TemplateFields<Row> {
            $0.number("id") { $0.id }
            $0.text("name") { $0.name }
            $0.text("versions") { $0.versions }
            $0.list("technicians") { $0.technicians }
            $0.flag("active") { $0.active }
        }
    }

    var frame: AdminFrame
    var rows: [Row]
    var name: String
    var versions: String
    var technicians: [AdminOption]
    static let templateFields = TemplateFields<AdminProductsPage> {
        $0.object("admin", \.frame)
        $0.list("rows") { $0.rows }
        $0.text("name") { $0.name }
        $0.text("versions") { $0.versions }
        $0.list("technicians") { $0.technicians }
    }
}

/// `admin-audit.mustache`: the audit log, newest first, a page at a time.
struct AdminAuditPage: TemplateModel {
    struct Row: TemplateModel {
        struct Change: TemplateModel {
            var field: String
            var old: String
            var new: String
            static let templateFields = TemplateFields<Change> {
                $0.text("field") { $0.field }
                $0.text("old") { $0.old }
                $0.text("new") { $0.new }
            }
        }

        var atISO: String
        var atDisplay: String
        var actor: String
        var address: String
        var action: String
        var subject: String
        var changes: [Change]
        static let templateFields = TemplateFields<Row> {
            $0.text("at_iso") { $0.atISO }
            $0.text("at_display") { $0.atDisplay }
            $0.text("actor") { $0.actor }
            $0.text("address") { $0.address }
            $0.text("action") { $0.action }
            $0.text("subject") { $0.subject }
            $0.list("changes") { $0.changes }
        }
    }

    var frame: AdminFrame
    var rows: [Row]
    var page: Int
    var hasNext: Bool
    static let templateFields = TemplateFields<AdminAuditPage> {
        $0.object("admin", \.frame)
        $0.list("rows") { $0.rows }
        $0.number("page") { $0.page }
        $0.number("next_page") { $0.page + 1 }
        $0.number("previous_page") { $0.page - 1 }
        $0.flag("has_next") { $0.hasNext }
        $0.flag("has_previous") { $0.page > 1 }
    }
}
