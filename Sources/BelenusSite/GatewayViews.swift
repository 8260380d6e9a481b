import BelenusCore
import BelenusStore
import BelenusFiles
import Foundation

/// The pages the gateway renders per request (SPEC §5): login with its error, the new-ticket
/// form, filtered ticket lists, KB search results and error pages; and the words of mail.
/// Every value goes through the same escaping theme as the generated pages.
public struct GatewayViews: Sendable {
    public let config: SiteConfig
    let theme: Theme

    /// Each template is parsed when first used: a request renders two or three of them.
    public init(paths: SitePaths, config: SiteConfig? = nil) throws {
        self.config = try config ?? SiteConfig.load(path: paths.config)
        self.theme = try Theme.load(from: paths.templates, language: self.config.language, parsingAll: false)
    }

    public func string(_ key: String) -> String { theme.string(key) }

    /// A problem in the site's language: `error_code_<code>` with `values` for its `%@`, else `fallback`.
    public func message(code: String, values: [String], fallback: String) -> String {
        guard !code.isEmpty, let template = theme.strings["error_code_\(code)"] else { return fallback }
        // One pass, so that a value holding "%@" is not itself filled in.
        let pieces = template.components(separatedBy: "%@")
        var text = pieces[0]
        for (i, piece) in pieces.dropFirst().enumerated() { text += (i < values.count ? values[i] : "") + piece }
        return text
    }

    /// The label of a form field in the site's language ("title" → "Título").
    public func fieldLabel(_ field: String) -> String {
        theme.strings["field_\(field)"] ?? field
    }

    private func context(_ csrf: String, _ values: [String: Any]) -> [String: Any] {
        var context = values
        context["site"] = SiteContext.site(config)
        context["csrf"] = csrf
        return context
    }

    public func login(error: String?, login: String) -> String {
        var values: [String: Any] = ["login": login]
        values["error"] = error
        return theme.render("login", context("", values))
    }

    /// The form, keeping what was typed (`values`) and naming the field of `error`.
    public func newTicket(products: [Product], orgs: [String], values: [String: String], error: FieldError?, csrf: String) -> String {
        var context: [String: Any] = [
            "values": values,
            "products": products.map {
                ["name": $0.name, "versions": $0.versions.joined(separator: ","), "selected": $0.name == values["product"]]
            },
            "versions": Array(Set(products.flatMap(\.versions))).sorted(),
            "orgs": orgs.map { ["name": $0, "selected": $0 == values["org"]] as [String: Any] },
            "has_orgs": !orgs.isEmpty,  // swift-mustache does not open {{#list.0}}: flags say "has any"
        ]
        if let error {
            context["error"] = ["field_label": fieldLabel(error.field), "message": message(code: error.code, values: error.values, fallback: error.message)]
        }
        return theme.render("ticket-new", self.context(csrf, context))
    }

    public func error(status: Int, message: String, field: String?, back: String, csrf: String) -> String {
        var values: [String: Any] = [
            "title": theme.strings["error_\(status)"] ?? "Error \(status)", "message": message, "back": back,
            "login": status == 401,
        ]
        values["field_label"] = field.map(fieldLabel)
        return theme.render("error", context(csrf, values))
    }

    /// A page of the filtered list; `query` is the filters as a query string, for the pager.
    public func ticketList(
        _ page: TicketPage, pageNumber: Int, pageSize: Int, staff: Bool, title: String, filters: [String: String],
        query: String, csrf: String, now: Date
    ) -> String {
        let pages = max(1, (page.total + pageSize - 1) / pageSize)
        let base = "\(config.gatewayPath)/tickets?\(query.isEmpty ? "" : query + "&")page="
        let range = theme.string("list_total").replacingFirst("%@", with: "\(page.total)")
            .replacingFirst("%@", with: "\(pageNumber)").replacingFirst("%@", with: "\(pages)")
        var filterValues: [String: Any] = filters
        filterValues["active"] = !filters.isEmpty
        let pagesView = TicketPages(config: config, theme: theme, technicians: [], now: now)
        return pagesView.listPage(
            title: title, staff: staff, rows: page.tickets, range: range,
            newer: pageNumber > 1 ? base + String(pageNumber - 1) : nil,
            older: pageNumber < pages ? base + String(pageNumber + 1) : nil,
            filters: filterValues, extra: ["csrf": csrf])
    }

    /// Results with snippets: the text is escaped first, then the match markers become `<mark>`.
    public func search(query: String, hits: [KBSearchHit], csrf: String) -> String {
        let rows: [[String: Any]] = hits.map {
            let snippet = HTMLEscaper.escape($0.snippet).replacingOccurrences(of: "\u{2}", with: "<mark>")
                .replacingOccurrences(of: "\u{3}", with: "</mark>")
            return ["slug": $0.slug, "title": $0.title, "product": $0.product, "snippet_html": snippet]
        }
        return theme.render("search", context(csrf, [
            "query": query, "hits": rows,
            "count_label": theme.string("search_count").replacingFirst("%@", with: "\(hits.count)"),
        ]))
    }

    // MARK: - Mail

    /// The words of the mail about `change` (SPEC §7): says it is automatic, names the ticket,
    /// what happened and who did it, and links to the ticket's page.
    public func notice(for change: TicketChange, actorName: String, link: String) -> Notice {
        let t = change.ticket, e = change.event
        let subject = theme.string("mail_subject").replacingFirst("%@", with: "\(t.number)").replacingFirst("%@", with: t.title)
        var lines = [
            theme.string("mail_auto").replacingFirst("%@", with: config.title), "",
            "#\(t.number) \(t.title)",
            "\(theme.string("field_product")): \(t.product) \(t.version)",
            "\(theme.string("mail_status")): \(theme.string("status_\(t.status.rawValue)")) · "
                + "\(theme.string("field_waiting_on")): \(theme.string("waiting_\(t.waitingOn.rawValue)"))",
            "", "\(actorName) \(theme.string("event_\(e.kind.rawValue)")).",
        ]
        for c in e.changes {
            lines.append("- \(theme.string("field_\(c.field)")): \(c.from ?? "—") → \(c.to ?? "—")")
        }
        let text = e.kind == .created ? t.body : e.body
        if !text.isEmpty { lines += ["", text] }
        lines += ["", theme.string("mail_link"), link, ""]
        return Notice(subject: subject, body: lines.joined(separator: "\n"))
    }
}
