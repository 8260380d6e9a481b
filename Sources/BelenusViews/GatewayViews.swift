import BelenusCore
import BelenusFiles
import BelenusTemplates
import Foundation

/// The pages the gateway renders per request (SPEC §5): login with its error, the new-ticket
/// form, filtered ticket lists, KB search results and error pages; and the words of mail.
/// Every value goes through the same escaping as the generated pages.
public struct GatewayViews: Sendable {
    public let config: SiteConfig
    public let theme: Theme

    /// Each template is linked when first used: a request renders one or two of them.
    public init(paths: SitePaths, config: SiteConfig? = nil) throws {
        self.config = try config ?? SiteConfig.load(path: paths.config)
        self.theme = try Theme.load(
            from: paths.templates, language: self.config.language, timezone: self.config.timezone, linkingAll: false)
    }

    public func string(_ key: String) -> String { theme.string(key) }

    /// A problem in the site's language: `error_code_<code>` with `values` for its `%@`, else `fallback`.
    public func message(code: String, values: [String], fallback: String) -> String {
        guard !code.isEmpty, let template = theme.strings["error_code_\(code)"] else { return fallback }
        return Theme.filling(template, with: values)
    }

    /// The label of a form field in the site's language ("title" → "Título").
    public func fieldLabel(_ field: String) -> String {
        theme.strings["field_\(field)"] ?? field
    }

    /// The signed-in person the page is for: named in its header (nil: nobody, or not known).
    public var viewer: (name: String, admin: Bool)?

    func globals(_ csrf: String) -> PageGlobals {
        PageGlobals(config, csrf: csrf, viewer: viewer.map { PageGlobals.Viewer(name: $0.name, admin: $0.admin) })
    }

    public func login(error: String?, login: String) -> [UInt8] {
        theme.render(theme.pages.login, LoginPage(login: login, error: error ?? ""), globals: globals(""))
    }

    /// The form, keeping what was typed (`values`) and naming the field of `error`.
    public func newTicket(
        products: [Product], orgs: [String], values: [String: String], error: (any HTTPResponseError)?, csrf: String
    ) -> [UInt8] {
        let model = NewTicketPage(
            values: .init(values: values),
            products: products.map { product in
                let chosen = product.name == values["product"]
                // A product without versions takes any: "—" stands for none.
                let versions =
                    product.versions.isEmpty
                    ? [(value: "—", label: theme.string("new_no_version"))] : product.versions.map { (value: $0, label: $0) }
                return .init(
                    name: product.name,
                    versions: versions.map { .init(value: $0.value, label: $0.label, selected: chosen && $0.value == values["version"]) },
                    selected: chosen)
            },
            orgs: orgs.map { .init(name: $0, selected: $0 == values["org"]) },
            limits: .init(files: config.maxAttachments, bytes: config.maxAttachmentBytes),
            error: error.map {
                .init(
                    fieldLabel: fieldLabel($0.formField ?? "form"), message: message(code: $0.code, values: $0.values, fallback: $0.message)
                )
            })
        return theme.render(theme.pages.newTicket, model, globals: globals(csrf))
    }

    /// The error of a refused form, in the site's words.
    private func formError(_ error: (any HTTPResponseError)?) -> FormError? {
        error.map {
            FormError(
                fieldLabel: fieldLabel($0.formField ?? "form"), message: message(code: $0.code, values: $0.values, fallback: $0.message))
        }
    }

    /// "¿Olvidó su contraseña?": the form, or (`sent`) the answer every address gets.
    public func forgotPassword(email: String, sent: Bool, error: (any HTTPResponseError)?) -> [UInt8] {
        theme.render(
            theme.pages.forgotPassword, ForgotPasswordPage(email: email, sent: sent, error: formError(error)), globals: globals(""))
    }

    /// The new-password form of a link; `user` nil: the link no longer works.
    public func resetPassword(token: String, user: User?, invitation: Bool, error: (any HTTPResponseError)?) -> [UInt8] {
        let model = ResetPasswordPage(
            token: token, name: user?.name ?? "", invitation: invitation, valid: user != nil, error: formError(error))
        return theme.render(theme.pages.resetPassword, model, globals: globals(""))
    }

    /// *Mi cuenta*.
    public func account(_ user: User, changed: Bool, error: (any HTTPResponseError)?, csrf: String) -> [UInt8] {
        let model = AccountPage(name: user.name, email: user.email, login: user.login.rawValue, changed: changed, error: formError(error))
        return theme.render(theme.pages.account, model, globals: globals(csrf))
    }

    /// The invitation or reset mail of `user`, with its link.
    public func accountMail(for user: User, link: String, invitation: Bool) -> Notice {
        let model = AccountMailView(name: user.name, login: user.login.rawValue, link: link, invitation: invitation, site: config.title)
        let subject = String(decoding: theme.render(theme.pages.accountMailSubject, model, globals: globals("")), as: UTF8.self)
        let body = String(decoding: theme.render(theme.pages.accountMail, model, globals: globals("")), as: UTF8.self)
        return Notice(subject: subject.trimmingCharacters(in: .whitespacesAndNewlines), body: body)
    }

    public func error(status: Int, message: String, field: String?, back: String, csrf: String) -> [UInt8] {
        let model = ErrorPage(title: theme.strings["error_\(status)"] ?? "Error \(status)", message: message, back: back,
                              login: status == 401, fieldLabel: field.map(fieldLabel) ?? "")
        return theme.render(theme.pages.error, model, globals: globals(csrf))
    }

    /// A snippet of the search index as HTML: the text escaped, then its match markers (U+0002
    /// and U+0003, which no escaped text holds as markup) made `<mark>`.
    static func marked(_ snippet: String) -> HTML {
        HTML(ByteText.replacing("\u{3}", with: "</mark>", in: ByteText.replacing("\u{2}", with: "<mark>", in: HTMLEscaper.escape(snippet))))
    }

    /// What FILTRO offers to choose from (SPEC §3): lists of names, never logins to type.
    public struct ListChoices: Sendable {
        /// Companies (staff only).
        public var orgs: [String]
        /// The people of the client's company (clients only).
        public var people: [(login: Login, name: String)]
        public var technicians: [(login: Login, name: String)]
        public var products: [String]

        public init(
            orgs: [String], people: [(login: Login, name: String)], technicians: [(login: Login, name: String)], products: [String]
        ) {
            self.orgs = orgs
            self.people = people
            self.technicians = technicians
            self.products = products
        }
    }

    /// A page of the filtered list; `filters` are the query's values by their SPEC §3 names
    /// (as matched: the canonical product, company or login); `query` is them as a query
    /// string, for the pager; `names` are display names by login.
    public func ticketList(
        _ page: TicketPage, pageNumber: Int, pageSize: Int, staff: Bool, title: String, filters: [String: String],
        choices: ListChoices, names: [Login: String], query: String, csrf: String, now: Date
    ) -> [UInt8] {
        // A search of many tickets counts them only so far (`Store.countedMatches`): "more than".
        let pages = page.totalIsExact ? max(1, (page.total + pageSize - 1) / pageSize) : pageNumber + 1
        let base = "\(config.gatewayPath)/tickets?\(query.isEmpty ? "" : query + "&")page="
        let range = page.totalIsExact
            ? theme.string("list_total", count: page.total, String(page.total), String(pageNumber), String(pages))
            : theme.string("list_total_more", String(page.total), String(pageNumber))
        let rows = TicketPages(config: config, theme: theme, technicians: [], now: now)
        func options(_ name: String, _ options: [(value: String, label: String)]) -> [Choice] {
            options.map { .init(value: $0.value, label: $0.label, selected: filters[name] == $0.value) }
        }
        let technicians = choices.technicians.map { (value: $0.login.rawValue, label: $0.name) }
        let model = TicketListPage(
            list: .init(
                title: title, staff: staff, range: range,
                newer: pageNumber > 1 ? base + String(pageNumber - 1) : "", older: pageNumber < pages ? base + String(pageNumber + 1) : ""),
            filters: .init(
                q: filters["q"] ?? "", number: filters["number"] ?? "", providerRef: filters["provider_ref"] ?? "",
                orgs: options("org", choices.orgs.map { ($0, $0) }),
                people: options("requester", choices.people.map { ($0.login.rawValue, $0.name) }),
                technicians: options("responsible", technicians), assignedTechnicians: options("assigned", technicians),
                products: options("product", choices.products.map { ($0, $0) }),
                statuses: options("status", TicketStatus.allCases.map { ($0.rawValue, theme.string("status_\($0.rawValue)")) }),
                slas: options("sla", SLAState.allCases.map { ($0.rawValue, theme.string("sla_\($0.rawValue)")) }),
                waiting: options("waiting_on", WaitingOn.allCases.map { ($0.rawValue, theme.string("waiting_\($0.rawValue)")) })),
            rows: page.tickets.map { ticket in
                var row = rows.row(ticket, names: names)
                if let snippet = page.snippets[ticket.number] { row.snippet = Self.marked(snippet) }
                return row
            })
        return theme.render(theme.pages.ticketList, model, globals: globals(csrf))
    }

    /// Results with snippets: the text is escaped first, then the match markers become `<mark>`.
    public func search(query: String, hits: [KBSearchHit], csrf: String) -> [UInt8] {
        let model = SearchPage(query: query, hits: hits.map {
            .init(slug: $0.slug, title: $0.title, product: $0.product, snippet: Self.marked($0.snippet))
        }, countLabel: theme.string("search_count", count: hits.count, "\(hits.count)"))
        return theme.render(theme.pages.search, model, globals: globals(csrf))
    }

    // MARK: - Mail

    /// The words of the mail about `change` (SPEC §7), from the theme's `mail/subject` and
    /// `mail/notice` templates in the site's language.
    /// `names`: display names by login, for the technicians a change names.
    /// `replies`: the mail invites a reply (SPEC §7), which becomes a comment.
    public func notice(for change: TicketChange, actorName: String, names: [Login: String], link: String, replies: Bool = false) -> Notice {
        let t = change.ticket, e = change.event
        let model = MailNotice(
            intro: theme.string(replies ? "mail_reply" : "mail_auto", config.title),
            number: t.number.rawValue, title: t.title, product: t.product, version: t.version,
            statusLabel: theme.string("status_\(t.status.rawValue)"), waitingLabel: theme.string("waiting_\(t.waitingOn.rawValue)"),
            actorName: actorName, eventLabel: theme.string("event_\(e.kind.rawValue)"),
            changes: e.changes.map {
                .init(
                    fieldLabel: theme.string("field_\($0.field)"),
                    from: theme.changeValue(field: $0.field, $0.from, names: names, none: "—"),
                    to: theme.changeValue(field: $0.field, $0.to, names: names, none: "—"))
            },
            text: e.kind == .created ? t.body : e.body, link: link)
        let subject = String(decoding: theme.render(theme.pages.mailSubject, model, globals: globals("")), as: UTF8.self)
        let body = String(decoding: theme.render(theme.pages.mailNotice, model, globals: globals("")), as: UTF8.self)
        return Notice(subject: subject.trimmingCharacters(in: .newlines), body: body)
    }
}
