import BelenusBytes
import BelenusCore
import BelenusTemplates
import BelenusFiles
import Foundation
import Synchronization
import TOMLKit

/// The templates, UI strings and assets of `site-templates/`, loaded once per build or request.
///
/// Templates are parsed when the theme loads and each is linked to its page model (every name
/// resolved to a field) when first rendered, or all at once with `linkingAll`: a build, which
/// uses them all and must refuse a broken one before writing anything.
public struct Theme: Sendable {
    let library: TemplateLibrary
    /// Each page's template, linked to its model.
    let pages: ThemePages
    /// UI strings of the site's language, the `t.*` of every template.
    public let strings: [String: String]
    let months: [String]
    /// The site's time zone: every date a page shows is its local time.
    public let clock: LocalClock
    /// Files under `assets/`, by path relative to it.
    public let assets: [(path: String, bytes: [UInt8])]
    /// Changes when any template, string or asset changes: part of every page's fingerprint.
    public let fingerprint: String

    /// Templates a theme made before them may lack, as the default theme has them.
    static let builtIn = [
        "mail/subject": "[#{{number}}] {{title}}\n",
        "mail/notice": """
            {{intro}}

            #{{number}} {{title}}
            {{t.field_product}}: {{product}} {{version}}
            {{t.mail_status}}: {{status_label}} · {{t.field_waiting_on}}: {{waiting_label}}

            {{actor_name}} {{event_label}}.
            {{#changes}}
            - {{field_label}}: {{from}} → {{to}}
            {{/changes}}
            {{#text}}

            {{.}}
            {{/text}}

            {{t.mail_link}}
            {{link}}

            """,
    ]

    /// The templates a theme must have.
    static let required = [
        "layout", "home", "page", "kb-index", "kb-all", "kb-article", "login", "ticket", "ticket-list", "feed", "sitemap",
    ]

    /// Loads `dir`; a template error names the file, line and column.
    public static func load(from dir: String, language: String, timezone: String = "UTC", linkingAll: Bool = true) throws -> Theme {
        let fm = FileManager.default
        var sources: [String: TemplateLibrary.Source] = [:]
        var hashInput: [UInt8] = []
        guard let files = DirectoryListing.files(under: dir) else {
            throw SiteError(file: dir, "no theme here")
        }
        let localeFile = "locales/\(language).toml", localePath = "\(dir)/\(localeFile)"
        let localeData = fm.contents(atPath: localePath)
        guard let localeText = localeData.flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw SiteError(file: localePath, "missing: the UI strings of language '\(language)'")
        }
        var strings: [String: String] = [:]
        do {
            for (key, value) in try TOMLTable(string: localeText) {
                guard let string = value.string else { throw SiteError(file: localePath, "\(key): expected a string") }
                guard !ByteText.contains(string, "{{"), !ByteText.contains(string, "}}") else {
                    throw SiteError(file: localePath, "\(key): a UI string cannot hold '{{' or '}}'")
                }
                strings[key] = string
            }
        } catch let error as TOMLParseError {
            throw SiteError(file: localePath, line: error.source.begin.line, error.description)
        }
        var assets: [(String, [UInt8])] = []
        for file in files {
            let path = dir + "/" + file
            guard let data = file == localeFile ? localeData : fm.contents(atPath: path) else { continue }
            hashInput.append(contentsOf: file.utf8)
            hashInput.append(0)
            hashInput.append(contentsOf: data)
            hashInput.append(0)
            if file.hasSuffix(".mustache") {
                guard let text = String(data: data, encoding: .utf8) else { throw SiteError(file: path, "not UTF-8") }
                sources[String(file.dropLast(".mustache".count))] = TemplateLibrary.Source(file: path, text: inliningStrings(text, strings))
            } else if file.hasPrefix("assets/") {
                assets.append((String(file.dropFirst("assets/".count)), Array(data)))
            }
        }
        for (name, text) in Self.builtIn where sources[name] == nil {  // themes made before these existed
            sources[name] = TemplateLibrary.Source(file: "(built in) \(name)", text: inliningStrings(text, strings))
        }
        let months = (strings["months"] ?? "").split(separator: " ").map(String.init)
        guard months.count == 12 else { throw SiteError(file: localePath, "months: twelve names separated by spaces") }
        for name in required where sources[name] == nil {
            throw SiteError(file: "\(dir)/\(name).mustache", "missing template")
        }
        let library = linkingAll ? try TemplateLibrary(sources) : TemplateLibrary(keepingErrors: sources)
        let pages = ThemePages(library: library)
        if linkingAll { try pages.linkAll() }
        return Theme(
            library: library, pages: pages, strings: strings, months: months, clock: LocalClock(timezone: timezone), assets: assets,
            fingerprint: StableHash.hex(hashInput))
    }

    /// `{{t.key}}` replaced by the escaped string and `{{{t.key}}}` by the string itself, before
    /// the template is parsed: the strings are the same on every page. A `t.key` with no string
    /// is left as it is, and linking reports it (a misspelled key is a load error).
    ///
    /// A scan by hand, not a `Regex`: building and running the regex was a tenth of a comment's
    /// CGI process. It replaces what `/\{\{(\{?)\s*t\.([a-z0-9_]+)\s*\}\}(\}?)/` matches.
    static func inliningStrings(_ text: String, _ strings: [String: String]) -> String {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{")
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0, copied = 0  // bytes before `copied` are in `out`
        while i + 1 < bytes.count {
            guard bytes[i] == open, bytes[i + 1] == open, let tag = stringTag(in: bytes, at: i) else {
                i += 1
                continue
            }
            out += bytes[copied..<i]
            if tag.raw == tag.rawClose, let value = strings[tag.key] {
                out += (tag.raw ? value : HTMLEscaper.escape(value)).utf8
            } else {
                out += bytes[i..<tag.end]
            }
            i = tag.end
            copied = i
        }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// The `{{t.key}}` or `{{{t.key}}}` tag starting at `start`, if one does.
    private static func stringTag(in b: [UInt8], at start: Int) -> (key: String, raw: Bool, rawClose: Bool, end: Int)? {
        func at(_ i: Int, _ c: UInt8) -> Bool { i < b.count && b[i] == c }
        func isSpace(_ i: Int) -> Bool { i < b.count && (b[i] == 0x20 || (b[i] >= 0x09 && b[i] <= 0x0d)) }
        func isKey(_ i: Int) -> Bool { i < b.count && (b[i] >= 0x61 && b[i] <= 0x7a || b[i] >= 0x30 && b[i] <= 0x39 || b[i] == 0x5f) }
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        guard at(start, open), at(start + 1, open) else { return nil }
        var i = start + 2
        let raw = at(i, open)
        if raw { i += 1 }
        while isSpace(i) { i += 1 }
        guard at(i, UInt8(ascii: "t")), at(i + 1, UInt8(ascii: ".")) else { return nil }
        i += 2
        let keyStart = i
        while isKey(i) { i += 1 }
        guard i > keyStart else { return nil }
        let key = String(decoding: b[keyStart..<i], as: UTF8.self)
        while isSpace(i) { i += 1 }
        guard at(i, close), at(i + 1, close) else { return nil }
        i += 2
        let rawClose = at(i, close)
        if rawClose { i += 1 }
        return (key, raw, rawClose, i)
    }

    /// Template `page` rendered with `model` over `globals`. A template that does not link (a
    /// theme changed without `belenus build`, which would have refused it) gives its error as
    /// the text.
    func render<Model: TemplateModel>(_ page: ThemePage<Model>, _ model: Model, globals: PageGlobals) -> [UInt8] {
        switch page.linked(in: library) {
        case .success(let template): template.render(model, globals: globals)
        case .failure(let error): Array(HTMLEscaper.escape("\(error)").utf8)
        }
    }

    /// A page the gateway serves to many people from one file: rendered with an empty `csrf`,
    /// the places of `{{csrf}}` listed on its last line (`PageBlocks.slotted`).
    func renderSlotted<Model: TemplateModel>(_ page: ThemePage<Model>, _ model: Model, globals: PageGlobals) -> [UInt8] {
        switch page.linked(in: library) {
        case .success(let template):
            let (output, slots) = template.renderMarkingSlots(model, globals: globals)
            return PageBlocks.slotted(output, slots: slots)
        case .failure(let error): return Array(HTMLEscaper.escape("\(error)").utf8)
        }
    }

    public func string(_ key: String) -> String { strings[key] ?? key }

    /// The string `key` with its `%@`s filled by `values` in order (a missing value is empty):
    /// the one formatter of UI strings. One pass, by bytes, so that a value holding "%@" is not
    /// itself filled in.
    public func string(_ key: String, _ values: String...) -> String { Self.filling(string(key), with: values) }

    /// The string `key` for `count` things, its `%@`s filled by `values`: `key_one` when the count
    /// is 1 ("1 ticket"), else `key` ("0 tickets", "3 tickets"). Spanish and English have these
    /// two forms; a theme without the `_one` string shows `key` for every count.
    public func string(_ key: String, count: Int, _ values: String...) -> String {
        let chosen = count == 1 && strings[key + "_one"] != nil ? key + "_one" : key
        return Self.filling(string(chosen), with: values)
    }

    public static func filling(_ template: String, with values: [String]) -> String {
        let pieces = ByteText.components(template, separatedBy: "%@")
        var text = pieces[0]
        for (i, piece) in pieces.dropFirst().enumerated() { text += (i < values.count ? values[i] : "") + piece }
        return text
    }

    /// "4 mar 2021, 09:02" in the site's time zone ("… 15:02 UTC" on a site in UTC): the same
    /// text for the same time, whatever the machine's locale.
    public func display(_ date: Date) -> String {
        // By byte from the clock's fields: through the ISO text, `dropLast`, `Int(String)` and
        // interpolation it was 2.4 % of a full build's CPU (a dozen dates a ticket page).
        let t = clock.fields(date)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        ByteText.appendDecimal(t.day, to: &bytes)
        bytes.append(32)
        bytes += months[t.month - 1].utf8
        bytes.append(32)
        UTCTime.appendDigits(t.year, 4, to: &bytes)
        bytes += [44, 32]
        UTCTime.appendDigits(t.hour, 2, to: &bytes)
        bytes.append(58)
        UTCTime.appendDigits(t.minute, 2, to: &bytes)
        if clock.isUTC { bytes += " UTC".utf8 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "4 mar": a local day (the dashboard's weeks).
    func dayAndMonth(_ date: Date) -> String {
        let t = clock.fields(date)
        return "\(t.day) \(months[t.month - 1])"
    }

    /// "2 KB", "1.5 MB".
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        let tenths = Int((Double(bytes) / 1_048_576 * 10).rounded())  // not String(format:): runtime lookups per process
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

/// A theme template and its model type, linked once when first needed (a request renders one
/// or two of them) and then shared by every thread of a build.
final class ThemePage<Model: TemplateModel>: @unchecked Sendable {
    let name: String
    let output: TemplateOutput
    private let lock = NSLock()
    private var result: Result<LinkedTemplate<Model>, TemplateError>?

    init(_ name: String, output: TemplateOutput = .html) {
        self.name = name
        self.output = output
    }

    func linked(in library: TemplateLibrary) -> Result<LinkedTemplate<Model>, TemplateError> {
        lock.lock()
        defer { lock.unlock() }
        if let result { return result }
        let linked = Result { () throws(TemplateError) in
            try LinkedTemplate<Model>(name, in: library, globals: PageGlobals.self, output: output, slot: "csrf")
        }
        result = linked
        return linked
    }
}

/// Every template of the theme with the model it renders. Each page is made when first asked
/// for: making all 18 at load (each a generic type the runtime instantiates and checks against
/// `TemplateModel`) was 2.4 % of a comment's CGI process, which renders one or two.
final class ThemePages: Sendable {
    let library: TemplateLibrary
    private let made = Mutex<[String: AnyObject]>([:])

    var home: ThemePage<HomePage> { named("home") }
    var kbIndex: ThemePage<KBIndexPage> { named("kb-index") }
    var kbAll: ThemePage<KBIndexPage> { named("kb-all") }
    var article: ThemePage<KBArticlePage> { named("kb-article") }
    var page: ThemePage<ContentPageView> { named("page") }
    var login: ThemePage<LoginPage> { named("login") }
    var feed: ThemePage<FeedPage> { named("feed") }
    var sitemap: ThemePage<SitemapPage> { named("sitemap") }
    var ticket: ThemePage<TicketPageView> { named("ticket") }
    var ticketList: ThemePage<TicketListPage> { named("ticket-list") }
    var newTicket: ThemePage<NewTicketPage> { named("ticket-new") }
    var error: ThemePage<ErrorPage> { named("error") }
    var search: ThemePage<SearchPage> { named("search") }
    var dashboard: ThemePage<DashboardPage> { named("dashboard") }
    var mailSubject: ThemePage<MailNotice> { named("mail/subject", output: .text) }
    var mailNotice: ThemePage<MailNotice> { named("mail/notice", output: .text) }
    var forgotPassword: ThemePage<ForgotPasswordPage> { named("password-forgot") }
    var resetPassword: ThemePage<ResetPasswordPage> { named("password-reset") }
    var account: ThemePage<AccountPage> { named("account") }
    var accountMailSubject: ThemePage<AccountMailView> { named("mail/account-subject", output: .text) }
    var accountMail: ThemePage<AccountMailView> { named("mail/account", output: .text) }
    var admin: ThemePage<AdminHomePage> { named("admin") }
    var adminUsers: ThemePage<AdminUsersPage> { named("admin-users") }
    var adminUser: ThemePage<AdminUserPage> { named("admin-user") }
    var adminOrgs: ThemePage<AdminOrgsPage> { named("admin-orgs") }
    var adminProducts: ThemePage<AdminProductsPage> { named("admin-products") }
    var adminAudit: ThemePage<AdminAuditPage> { named("admin-audit") }
    var adminCalendars: ThemePage<AdminCalendarsPage> { named("admin-calendars") }

    /// Template `name`'s page, the same object each time (it keeps the linked template).
    private func named<Model: TemplateModel>(_ name: String, output: TemplateOutput = .html) -> ThemePage<Model> {
        made.withLock { pages in
            if let known = pages[name] { return known as! ThemePage<Model> }  // one model per name, above
            let page = ThemePage<Model>(name, output: output)
            pages[name] = page
            return page
        }
    }

    init(library: TemplateLibrary) { self.library = library }

    /// Links every template the theme has: the first that does not link is the error.
    func linkAll() throws(TemplateError) {
        func check<M>(_ page: ThemePage<M>) throws(TemplateError) {
            guard library.names.contains(page.name) else { return }  // optional templates (error, search…) of older themes
            if case .failure(let error) = page.linked(in: library) { throw error }
        }
        try check(home); try check(kbIndex); try check(kbAll); try check(article); try check(page); try check(login)
        try check(feed); try check(sitemap); try check(ticket); try check(ticketList); try check(newTicket); try check(error)
        try check(search); try check(dashboard); try check(mailSubject); try check(mailNotice)
        try check(forgotPassword); try check(resetPassword); try check(account); try check(accountMailSubject); try check(accountMail)
        try check(admin); try check(adminUsers); try check(adminUser); try check(adminOrgs); try check(adminProducts); try check(adminAudit)
        try check(adminCalendars)
    }
}

extension Theme {
    /// A value of the follow-up or of a mail in the site's words (SPEC §6: never a code): a
    /// status or a waiting party by its label, a deadline as a local time, a technician by name.
    /// `names` are display names by login; `none` stands for an empty value.
    public func changeValue(field: String, _ value: String?, names: [Login: String], none: String) -> String {
        guard let value, !value.isEmpty else { return none }
        switch field {
        case "status": return string("status_\(value)")
        case "waiting_on": return string("waiting_\(value)")
        case "due_at": return Timestamp.parse(value).map(display) ?? value
        case "due_in_hours": return string("business_hours", value)
        case "responsible", "assigned": return names[Login(value)] ?? value
        default: return value
        }
    }
}
