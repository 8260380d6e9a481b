import BelenusTemplates

/// A ticket's SLA badge (`partials/sla`): colour, icon and word, and the deadline the page
/// script counts down to.
struct SLABadge: TemplateModel {
    var state: String
    var label: String
    var icon: String
    var dueISO: String
    var dueDisplay: String
    /// When it turns due soon (business time, so not a fixed distance to the deadline).
    var dueSoonISO: String
    /// `due_soon_hours`: what the badge of a theme from before issue 32 counts with.
    var soonHours: String
    static let templateFields = TemplateFields<SLABadge> {
        $0.text("state") { $0.state }
        $0.text("label") { $0.label }
        $0.text("icon") { $0.icon }
        $0.text("due_iso") { $0.dueISO }
        $0.text("due_display") { $0.dueDisplay }
        $0.text("due_soon_iso") { $0.dueSoonISO }
        $0.text("soon_hours") { $0.soonHours }
    }
}

/// One choice of a `<select>`: the value sent, the words shown, whether it is chosen (the
/// waiting party of a ticket, FILTRO's lists, a product's versions).
struct Choice: TemplateModel {
    var value: String
    var label: String
    var selected: Bool
    static let templateFields = TemplateFields<Choice> {
        $0.text("value") { $0.value }
        $0.text("label") { $0.label }
        $0.flag("selected") { $0.selected }
    }
}

/// A file attached to a ticket, as its page lists it.
struct AttachmentView: TemplateModel {
    var id: Int
    var name: String
    var sizeDisplay: String
    static let templateFields = TemplateFields<AttachmentView> {
        $0.number("id") { $0.id }
        $0.text("name") { $0.name }
        $0.text("size_display") { $0.sizeDisplay }
    }
}

/// `ticket.mustache`: the ticket, its history, and the forms of both audiences.
struct TicketPageView: TemplateModel {
    struct Ticket: TemplateModel {
        var number: Int
        var title: String
        var product: String
        var version: String
        var body: HTML
        var org: String
        var requesterName: String
        var createdISO: String
        var createdDisplay: String
        var responsibleName: String
        var assignedName: String
        var dueISO: String
        var dueDisplay: String
        /// "8 h hábiles" when the deadline in force was given as business hours, else empty.
        var dueHours: String
        var waitingLabel: String
        var providerRef: String
        var providerRefDisplay: String
        var status: String
        var statusLabel: String
        static let templateFields = TemplateFields<Ticket> {
            $0.number("number") { $0.number }
            $0.text("title") { $0.title }
            $0.text("product") { $0.product }
            $0.text("version") { $0.version }
            $0.html("body_html") { $0.body }
            $0.text("org") { $0.org }
            $0.text("requester_name") { $0.requesterName }
            $0.text("created_iso") { $0.createdISO }
            $0.text("created_display") { $0.createdDisplay }
            $0.text("responsible_name") { $0.responsibleName }
            $0.text("assigned_name") { $0.assignedName }
            $0.text("due_iso") { $0.dueISO }
            $0.text("due_display") { $0.dueDisplay }
            $0.text("due_hours") { $0.dueHours }
            $0.text("waiting_label") { $0.waitingLabel }
            $0.text("provider_ref") { $0.providerRef }
            $0.text("provider_ref_display") { $0.providerRefDisplay }
            $0.text("status") { $0.status }
            $0.text("status_label") { $0.statusLabel }
        }
    }

    /// A field a change moved, as the history and the mail show it.
    struct Change: TemplateModel {
        var fieldLabel: String
        var from: String
        var to: String
        static let templateFields = TemplateFields<Change> {
            $0.text("field_label") { $0.fieldLabel }
            $0.text("from") { $0.from }
            $0.text("to") { $0.to }
        }
    }

    struct Event: TemplateModel {
        var kind: String
        var kindLabel: String
        var actorName: String
        var atISO: String
        var atDisplay: String
        var body: HTML
        var changes: [Change]
        var attachments: [AttachmentView]
        static let templateFields = TemplateFields<Event> {
            $0.text("kind") { $0.kind }
            $0.text("kind_label") { $0.kindLabel }
            $0.text("actor_name") { $0.actorName }
            $0.text("at_iso") { $0.atISO }
            $0.text("at_display") { $0.atDisplay }
            $0.html("body_html") { $0.body }
            $0.flag("has_changes") { !$0.changes.isEmpty }
            $0.list("changes") { $0.changes }
            $0.list("attachments") { $0.attachments }
        }
    }

    struct Technician: TemplateModel {
        var login: String
        var name: String
        var assigned: Bool
        var responsible: Bool
        static let templateFields = TemplateFields<Technician> {
            $0.text("login") { $0.login }
            $0.text("name") { $0.name }
            $0.flag("assigned") { $0.assigned }
            $0.flag("responsible") { $0.responsible }
        }
    }

    /// Which forms the ticket's state allows, and what they start with.
    struct Forms: TemplateModel {
        var clientComment: Bool
        var reopen: Bool
        var approve: Bool
        var staffComment: Bool
        var close: Bool
        var assign: Bool
        var update: Bool
        var publish: Bool
        var publishTitle: String
        var publishBody: String
        /// What was typed in a refused form, shown again in it; empty on generated pages.
        var clientCommentText = ""
        var staffCommentText = ""
        var reopenText = ""
        var closeText = ""
        var dueAtValue: String
        /// Business hours from now, typed in a refused form (empty otherwise).
        var dueInHoursValue: String
        var providerRefValue: String
        var technicians: [Technician]
        var waitingOptions: [Choice]
        static let templateFields = TemplateFields<Forms> {
            $0.flag("client_comment") { $0.clientComment }
            $0.flag("reopen") { $0.reopen }
            $0.flag("approve") { $0.approve }
            $0.flag("staff_comment") { $0.staffComment }
            $0.flag("close") { $0.close }
            $0.flag("assign") { $0.assign }
            $0.flag("update") { $0.update }
            $0.flag("publish") { $0.publish }
            $0.text("publish_title") { $0.publishTitle }
            $0.text("publish_body") { $0.publishBody }
            $0.text("client_comment_text") { $0.clientCommentText }
            $0.text("staff_comment_text") { $0.staffCommentText }
            $0.text("reopen_text") { $0.reopenText }
            $0.text("close_text") { $0.closeText }
            $0.text("due_at_value") { $0.dueAtValue }
            $0.text("due_in_hours_value") { $0.dueInHoursValue }
            $0.text("provider_ref_value") { $0.providerRefValue }
            $0.list("technicians") { $0.technicians }
            $0.list("waiting_options") { $0.waitingOptions }
            // Themes copied before the `technicians` loop write these two: the same options,
            // read only by a template that names them.
            $0.html("assign_options") { $0.options { $0.assigned } }
            $0.html("responsible_options") { $0.options { $0.responsible } }
        }

        /// The `<option>`s of a theme copied before the `technicians` loop, as it rendered them
        /// (values escaped as a template escapes them), `selected` where the flag says.
        func options(selected: (Technician) -> Bool) -> HTML {
            HTML(
                technicians.map { person in
                    let value = HTMLEscaper.escape(person.login), name = HTMLEscaper.escape(person.name)
                    return "<option value=\"\(value)\"\(selected(person) ? " selected" : "")>\(name)</option>"
                }
                .joined())
        }
    }

    /// Why a form was refused, above the ticket (the gateway's answer only).
    struct Refusal: TemplateModel {
        var fieldLabel: String
        var message: String
        static let templateFields = TemplateFields<Refusal> {
            $0.text("field_label") { $0.fieldLabel }
            $0.text("message") { $0.message }
        }
    }

    var noindex: Bool
    var refused: Refusal? = nil
    var ticket: Ticket
    var sla: SLABadge?
    var attachments: [AttachmentView]
    var events: [Event]
    var forms: Forms
    static let templateFields = TemplateFields<TicketPageView> {
        $0.flag("noindex") { $0.noindex }
        $0.object("refused", \.refused)
        $0.object("ticket", \.ticket)
        $0.object("sla", \.sla)
        $0.list("attachments") { $0.attachments }
        $0.flag("has_attachments") { !$0.attachments.isEmpty }
        $0.list("events") { $0.events }
        $0.object("forms", \.forms)
    }
}

/// `ticket-list.mustache`: a page of the filtered list (`GET /tickets`).
struct TicketListPage: TemplateModel {
    struct Navigation: TemplateModel {
        var title: String
        var staff: Bool
        var range: String
        var newer: String
        var older: String
        static let templateFields = TemplateFields<Navigation> {
            $0.text("title") { $0.title }
            $0.flag("staff") { $0.staff }
            $0.text("range") { $0.range }
            $0.text("newer") { $0.newer }
            $0.text("older") { $0.older }
        }
    }

    /// FILTRO: the values of the query (empty: not filtered by it) and the lists to choose from.
    struct Filters: TemplateModel {
        var q = "", number = "", providerRef = ""
        var orgs: [Choice] = [], people: [Choice] = [], technicians: [Choice] = [], assignedTechnicians: [Choice] = []
        var products: [Choice] = [], statuses: [Choice] = [], slas: [Choice] = [], waiting: [Choice] = []

        static let templateFields = TemplateFields<Filters> {
            $0.text("q") { $0.q }
            $0.text("number") { $0.number }
            $0.text("provider_ref") { $0.providerRef }
            $0.list("orgs") { $0.orgs }
            $0.list("people") { $0.people }
            $0.list("technicians") { $0.technicians }
            $0.list("assigned_technicians") { $0.assignedTechnicians }
            $0.list("products") { $0.products }
            $0.list("statuses") { $0.statuses }
            $0.list("slas") { $0.slas }
            $0.list("waiting") { $0.waiting }
        }
    }

    /// A row of *Diagrama 2*: people by name, values in words, dates local.
    struct Row: TemplateModel {
        var number: Int
        var title: String
        var status: String
        var statusLabel: String
        var waitingLabel: String
        var vobo: Bool
        var createdISO: String
        var createdDisplay: String
        var org: String
        var product: String
        var requesterName: String
        var responsibleName: String
        var assignedName: String
        var sla: SLABadge?
        /// Where the searched words are, marked (`<mark>`, the text escaped first); empty without words.
        var snippet: HTML = .empty
        static let templateFields = TemplateFields<Row> {
            $0.html("snippet") { $0.snippet }
            $0.number("number") { $0.number }
            $0.text("title") { $0.title }
            $0.text("status") { $0.status }
            $0.text("status_label") { $0.statusLabel }
            $0.text("waiting_label") { $0.waitingLabel }
            $0.flag("vobo") { $0.vobo }
            $0.text("created_iso") { $0.createdISO }
            $0.text("created_display") { $0.createdDisplay }
            $0.text("org") { $0.org }
            $0.text("product") { $0.product }
            $0.text("requester_name") { $0.requesterName }
            $0.text("responsible_name") { $0.responsibleName }
            $0.text("assigned_name") { $0.assignedName }
            $0.object("sla", \.sla)
        }
    }

    var list: Navigation
    var filters: Filters
    var rows: [Row]
    static let templateFields = TemplateFields<TicketListPage> {
        $0.object("list", \.list)
        $0.object("filters", \.filters)
        $0.list("rows") { $0.rows }
    }
}

/// `ticket-new.mustache`: the form, with what was typed and the error of a refused attempt.
struct NewTicketPage: TemplateModel {
    /// What was typed, by the form's field names.
    struct Values: TemplateModel {
        var title = "", product = "", version = "", body = "", org = ""

        init(values: [String: String]) {
            title = values["title"] ?? ""
            product = values["product"] ?? ""
            version = values["version"] ?? ""
            body = values["body"] ?? ""
            org = values["org"] ?? ""
        }

        static let templateFields = TemplateFields<Values> {
            $0.text("title") { $0.title }
            $0.text("product") { $0.product }
            $0.text("version") { $0.version }
            $0.text("body") { $0.body }
            $0.text("org") { $0.org }
        }
    }

    /// A product and its versions: the version list groups them by product (the page script
    /// shows the chosen product's only; without script all are there and the server checks the pair).
    struct Product: TemplateModel {
        var name: String
        var versions: [Choice]
        var selected: Bool
        static let templateFields = TemplateFields<Product> {
            $0.text("name") { $0.name }
            $0.list("versions") { $0.versions }
            $0.flag("selected") { $0.selected }
        }
    }

    /// The form's limits, for the page script's warning before sending.
    struct Limits: TemplateModel {
        var files: Int
        var bytes: Int
        static let templateFields = TemplateFields<Limits> {
            $0.number("files") { $0.files }
            $0.number("bytes") { $0.bytes }
        }
    }

    struct Org: TemplateModel {
        var name: String
        var selected: Bool
        static let templateFields = TemplateFields<Org> {
            $0.text("name") { $0.name }
            $0.flag("selected") { $0.selected }
        }
    }

    struct Problem: TemplateModel {
        var fieldLabel: String
        var message: String
        static let templateFields = TemplateFields<Problem> {
            $0.text("field_label") { $0.fieldLabel }
            $0.text("message") { $0.message }
        }
    }

    var values: Values
    var products: [Product]
    var orgs: [Org]
    var limits: Limits
    var error: Problem?
    static let templateFields = TemplateFields<NewTicketPage> {
        $0.object("values", \.values)
        $0.list("products") { $0.products }
        $0.object("limits", \.limits)
        $0.list("orgs") { $0.orgs }
        $0.flag("has_orgs") { !$0.orgs.isEmpty }
        $0.object("error", \.error)
    }
}
