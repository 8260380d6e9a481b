import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// The ticket routes of SPEC §5.
extension Gateway {
    static let listPageSize = 50

    // MARK: - Lists

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
            people.map { (key: Self.folded($0.name), login: $0.login, name: $0.name) }
                .sorted { ($0.key, $0.name) < ($1.key, $1.name) }.map { (login: $0.login, name: $0.name) }
        }
        let technicians = byName(users.filter { $0.role != .client })
        let people = actor.role.isStaff ? [] : byName(users.filter { $0.role == .client && $0.org == actor.org })
        let choices = GatewayViews.ListChoices(
            orgs: actor.role.isStaff ? try store.orgs() : [], people: people, technicians: technicians, products: try store.products().map(\.name))

        var filter = TicketFilter()
        var echo: [String: String] = [:]
        func text(_ name: String) -> String? {
            guard let value = request.queryValue(name).map(ByteText.trimmed), !value.isEmpty else { return nil }
            echo[name] = value
            return value
        }
        func parsed<T>(_ name: String, _ make: (String) -> T?) throws(GatewayError) -> T? {
            guard let value = text(name) else { return nil }
            guard let result = make(value) else { throw GatewayError(400, "'\(value)' is not a valid value", field: name, code: "not_a_choice", values: [value]) }
            return result
        }
        /// The canonical value among `options` that `name`'s value names without case or
        /// accents (by value or by label); else the value as typed, which matches nothing.
        func matched(_ name: String, _ options: [(value: String, label: String)]) -> String? {
            guard let typed = text(name) else { return nil }
            let key = Self.folded(typed)
            let value = options.first { Self.folded($0.value) == key || Self.folded($0.label) == key }?.value ?? typed
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
        let result = try store.tickets(matching: filter, page: pageNumber, pageSize: Self.listPageSize, now: now, policy: config.slaPolicy)
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
                choices: choices, names: names, query: query, csrf: csrfToken, now: now)
        }
    }

    /// The fields of a ticket in JSON (SPEC §5), list rows and `GET /tickets/N` alike.
    func ticketFields(_ t: Ticket, names: [Login: String]) -> [(String, JSON)] {
        func name(_ login: Login?) -> JSON { .optional(login.map { names[$0] ?? $0.rawValue }) }
        return [
            ("number", .int(t.number.rawValue)), ("title", .string(t.title)), ("status", .string(t.status.rawValue)),
            ("waiting_on", .string(t.waitingOn.rawValue)),
            ("sla", .optional(t.slaState(at: now, policy: config.slaPolicy)?.rawValue)),
            ("org", .string(t.org)), ("product", .string(t.product)),
            ("responsible", .optional(t.responsible?.rawValue)), ("assigned", .optional(t.assigned?.rawValue)),
            ("due_at", .string(Timestamp.iso(t.dueAt))), ("created_at", .string(Timestamp.iso(t.createdAt))),
            ("requester", .string(t.requester.rawValue)), ("requester_name", name(t.requester)),
            ("responsible_name", name(t.responsible)), ("assigned_name", name(t.assigned)),
        ]
    }

    /// Lower case without accents: how a value typed in a URL is compared with the names.
    /// "42" or "#42" as typed in a number box: the "#" cut by byte (a combining mark after it
    /// makes the text no number at all), 1 or more.
    static func ticketNumber(_ text: String) -> Int? {
        let digits = ByteText.hasPrefix(text, "#") ? String(decoding: text.utf8.dropFirst(), as: UTF8.self) : text
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
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

    /// The ticket, or 404 for one that does not exist and for another company's alike.
    func visibleTicket(_ number: TicketNumber, by actor: Actor) throws -> Ticket {
        guard let ticket = try store.ticket(number), Rulebook.canSee(ticket, actor) else {
            throw GatewayError(404, "ticket \(number) not found")
        }
        return ticket
    }

    // MARK: - New tickets

    func newTicketForm(_ user: SignedIn) throws -> Response {
        let actor = user.actor
        let products = try store.products()
        if request.wantsJSON {
            return .json(200, .object([("products", .array(products.map {
                .object([("name", .string($0.name)), ("versions", .array($0.versions.map { .string($0) }))])
            }))]))
        }
        let orgs = actor.role.isStaff ? try store.orgs() : []
        return try page(200) { $0.newTicket(products: products, orgs: orgs, values: [:], error: nil, csrf: csrfToken) }
    }

    /// `POST /tickets`: the draft, its files and its mail in one transaction; a 400 shows the
    /// form again with what was typed.
    func openTicket(_ user: SignedIn) throws -> Response {
        let form = user.form
        let actor = user.actor
        let values = ["title", "product", "version", "body", "org"].reduce(into: [String: String]()) { $0[$1] = form.value($1) ?? "" }
        do {
            if let problem = form.fileError { throw FieldError(problem) }
            let org = actor.role.isStaff ? (values["org"].flatMap { $0.isEmpty ? nil : $0 }) : actor.org
            if actor.role.isStaff, let org, try !store.orgs().contains(org) {
                throw FieldError.unknown("org", org)
            }
            let draft = TicketDraft(
                title: values["title"]!, product: values["product"]!, version: values["version"]!, body: values["body"]!, org: org ?? "")
            try Rulebook.checkOpen(for: actor.role.isStaff ? org : nil, by: actor)
            _ = try draft.validated()
            let ticket = try withAttachments(form.files) { attachments in
                try store.openTicket(draft, by: actor, at: now, policy: config.slaPolicy, attachments: attachments, mail: mailPlan())
            }
            regeneratePages([ticket.number])
            return .seeOther(link("/tickets/\(ticket.number)"), json: request.wantsJSON)
        } catch let error as FieldError where !request.wantsJSON && (error.httpStatus == 400 || error.httpStatus == 413) {
            let products = try store.products()
            let orgs = actor.role.isStaff ? try store.orgs() : []
            return try page(error.httpStatus) { $0.newTicket(products: products, orgs: orgs, values: values, error: error, csrf: csrfToken) }
        }
    }

    // MARK: - One ticket

    /// `GET /tickets/N`: the generated page, with the other audience's forms cut out and this
    /// session's CSRF token filled in; JSON: the ticket, its events and attachments.
    func showTicket(_ number: TicketNumber, _ user: SignedIn) throws -> Response {
        let actor = user.actor
        let ticket = try visibleTicket(number, by: actor)
        if request.wantsJSON { return .json(200, try ticketJSON(ticket)) }
        return .html(200, bytes: try ticketPage(number, for: actor))
    }

    /// The generated page of ticket `number` as `actor` may see it.
    func ticketPage(_ number: TicketNumber, for actor: Actor) throws -> [UInt8] {
        let relative = SiteBuilder.ticketPagePath(number)
        let file = paths.output + "/" + relative
        let record = try store.pageRecords(paths: [relative])[relative]
        if record == nil || record?.fingerprint == "stale" || !FileManager.default.fileExists(atPath: file) {
            try builder().regeneratePages(touchedBy: [number], now: now)
        }
        return PageBlocks.cut(try generatedPage(file, missing: "the page of ticket \(number)"), block: actor.role.isStaff ? "client" : "staff")
    }

    /// A generated private page with this session's CSRF token in its slots.
    func generatedPage(_ file: String, missing: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw GatewayError(500, "\(missing) is missing") }
        return PageBlocks.filled(Array(data), with: csrfToken)
    }

    /// `GET /dashboard`, technicians and admins only: the generated dashboard, brought up to date
    /// first (its counts move with the clock as well as with changes).
    func dashboard(_ user: SignedIn) throws -> Response {
        guard user.actor.role.isStaff else { throw GatewayError(403, "the dashboard is for technicians") }
        try builder().regenerateDashboard(now: now)
        return .html(200, bytes: try generatedPage(paths.output + "/" + SiteBuilder.dashboardPath, missing: "the dashboard"))
    }

    /// SPEC §5: a refused form shows again with what was typed: the ticket's page rendered
    /// from its model with the error on top and the form's fields as they were sent.
    func ticketPageKeeping(_ form: FormFields, of action: TicketAction, on number: TicketNumber, by actor: Actor, error: GatewayError) throws -> Response {
        let views = try self.views.get()
        let which: RefusedForm.Form = switch action {
        case .comment: actor.role.isStaff ? .staffComment : .clientComment
        case .reopen: .reopen
        case .close: .close
        case .update: .update
        case .publish: .publish
        default: .other
        }
        let refused = RefusedForm(
            form: which, values: Dictionary(form.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            fieldLabel: views.fieldLabel(error.field ?? "body"),
            message: views.message(code: error.code, values: error.values, fallback: error.message))
        guard let details = try store.ticketDetails([number]).first else { throw GatewayError(404, "ticket \(number) not found") }
        let ticketPages = TicketPages(config: views.config, theme: views.theme, technicians: try store.activeStaff(), now: now)
        let page = ticketPages.ticketPage(details, refused: refused, csrf: csrfToken)
        return .html(error.status, bytes: PageBlocks.cut(page, block: actor.role.isStaff ? "client" : "staff"))
    }

    func ticketJSON(_ ticket: Ticket) throws -> JSON {
        guard let d = try store.ticketDetails([ticket.number]).first else { throw GatewayError(404, "ticket \(ticket.number) not found") }
        let t = d.ticket
        return .object(ticketFields(t, names: d.names) + [
            ("version", .string(t.version)), ("body", .string(t.body)), ("provider_ref", .optional(t.providerRef)),
            ("events", .array(d.events.map { stored in
                let e = stored.event
                return .object([
                    ("id", .int(Int(stored.id))), ("kind", .string(e.kind.rawValue)), ("actor", .string(e.actor.rawValue)),
                    ("at", .string(Timestamp.iso(e.at))), ("body", .string(e.body)),
                    ("changes", .array(e.changes.map { .object([("field", .string($0.field)), ("from", .optional($0.from)), ("to", .optional($0.to))]) })),
                ])
            })),
            ("attachments", .array(d.attachments.map { a in
                .object([
                    ("id", .int(Int(a.id))), ("name", .string(a.name)), ("size", .int(a.size)), ("content_type", .string(a.contentType)),
                    ("event", a.event.map { .int(Int($0)) } ?? .null),
                    ("url", .string(link("/tickets/\(t.number)/files/\(a.id)"))),
                ])
            })),
        ])
    }

    /// `GET /tickets/N/files/ID`: always a download, never rendered by the browser.
    func download(_ id: Int64, of number: TicketNumber, _ user: SignedIn) throws -> Response {
        let actor = user.actor
        _ = try visibleTicket(number, by: actor)
        guard let attachment = try store.attachment(id), attachment.ticket == number else { throw GatewayError(404, "no file \(id) on ticket \(number)") }
        let files = AttachmentFiles(directory: paths.attachments)
        guard let data = FileManager.default.contents(atPath: files.path(attachment.sha256)) else {
            throw GatewayError(404, "the file '\(attachment.name)' is missing from the server")
        }
        return Response(status: 200, headers: [
            ("Content-Type", "application/octet-stream"),
            ("Content-Disposition", AttachmentFiles.contentDisposition(attachment.name)),
            ("Content-Security-Policy", "default-src 'none'; sandbox"),
        ], body: Array(data))
    }

    // MARK: - Actions

    /// `POST /tickets/N/{comments,reopen,approve,close,assign,update,publish}`.
    func act(_ action: TicketAction, on number: TicketNumber, _ user: SignedIn) throws -> Response {
        let form = user.form
        let actor = user.actor
        let ticket = try visibleTicket(number, by: actor)
        try Rulebook.check(action, by: actor, on: ticket)  // 403/409 before the fields are looked at
        do {
            if let problem = form.fileError { throw problem }
            return try perform(action, on: ticket, form: form, by: actor)
        } catch let error as FieldError where !request.wantsJSON {
            return try ticketPageKeeping(form, of: action, on: number, by: actor, error: error.httpError)
        } catch let error as GatewayError where !request.wantsJSON && error.field != nil && error.status < 500 {
            return try ticketPageKeeping(form, of: action, on: number, by: actor, error: error)
        }
    }

    func perform(_ action: TicketAction, on ticket: Ticket, form: FormFields, by actor: Actor) throws -> Response {
        let number = ticket.number
        if action == .publish { return try publish(ticket, form: form, by: actor) }
        if !form.files.isEmpty && action != .comment { throw GatewayError(400, "files go with a comment", field: "file") }
        _ = try withAttachments(form.files) { attachments in
            try store.change(number, by: actor, at: now, attachments: attachments, mail: mailPlan()) { ticket, technicians in
                switch action {
                case .comment: try ticket.comment(form.value("body") ?? "", by: actor, at: now)
                case .reopen: try ticket.reopen(reason: form.value("body") ?? "", by: actor, at: now)
                case .approve: try ticket.approve(by: actor, at: now)
                case .close: try ticket.close(solution: form.value("body") ?? "", by: actor, at: now)
                case .assign:
                    try ticket.assign(to: Login(try form.required("assigned")), technicians: technicians, by: actor, at: now)
                case .update: try ticket.update(try Self.update(from: form, clock: LocalClock(timezone: config.timezone)), technicians: technicians, by: actor, at: now)
                case .view, .publish: throw GatewayError(404, "no such action")
                }
            }
        }
        regeneratePages([number])
        return .seeOther(link("/tickets/\(number)"), json: request.wantsJSON)
    }

    /// The fields of `update` that the form sent (an empty one leaves its value as it is,
    /// except `provider_ref`, which an empty value clears).
    /// `due_at` is a local time of the site's zone (what a `datetime-local` input sends) or an
    /// instant with `Z` or an offset.
    static func update(from form: FormFields, clock: LocalClock) throws -> TicketUpdate {
        var update = TicketUpdate()
        if let text = form.value("due_at")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let date = clock.parse(text) else {
                throw FieldError(field: "due_at", message: "'\(text)' is not a date and time (2026-12-15T10:00, local)", code: "not_a_date", values: [text])
            }
            update.dueAt = date
        }
        if let text = form.value("waiting_on"), !text.isEmpty {
            guard let value = WaitingOn(rawValue: text) else { throw FieldError(field: "waiting_on", message: "support, client, provider or external", code: "not_a_choice", values: [text]) }
            update.waitingOn = value
        }
        update.providerRef = form.value("provider_ref")
        if let text = form.value("responsible")?.trimmingCharacters(in: .whitespaces), !text.isEmpty { update.responsible = Login(text) }
        return update
    }

    // MARK: - Shared steps

    /// Stores the files, runs `body` (the transaction), and removes the files this request
    /// created if the transaction failed: a refused request leaves no file behind (a killed one's
    /// the next build removes: `AttachmentFolder`, whose lock this holds shared meanwhile).
    func withAttachments<T>(_ files: [UploadedFile], _ body: ([NewAttachment]) throws -> T) throws -> T {
        guard !files.isEmpty else { return try body([]) }
        return try AttachmentFolder(paths: paths).storing { try storingAttachments(files, body) }
    }

    private func storingAttachments<T>(_ files: [UploadedFile], _ body: ([NewAttachment]) throws -> T) throws -> T {
        let storage = AttachmentFiles(directory: paths.attachments)
        var created: [String] = []
        do {
            var attachments: [NewAttachment] = []
            for file in files {
                let (hash, isNew) = try storage.store(file.bytes)
                if isNew { created.append(hash) }
                attachments.append(NewAttachment(
                    name: AttachmentFiles.displayName(file.filename), contentType: Self.mediaType(file.contentType),
                    size: file.bytes.count, sha256: hash))
            }
            return try body(attachments)
        } catch {
            for hash in created where (try? store.attachmentReferenced(sha256: hash)) == false { storage.remove(hash) }
            throw error
        }
    }

    /// A declared type kept as data (`type/subtype`), else `application/octet-stream`.
    static func mediaType(_ declared: String) -> String {
        let type = ByteText.trimmed(ByteText.split(declared, at: ";", keepingEmpty: true).first ?? "").lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789/.+-_".utf8)
        let ok = type.utf8.count <= 100 && ByteText.split(type, at: "/").count == 2 && type.utf8.allSatisfy(allowed.contains)
        return ok ? type : "application/octet-stream"
    }

    /// The words of the mail of a change, made inside its transaction.
    func mailPlan() throws -> MailPlan {
        let views = try self.views.get()
        let actorName = session?.user.name ?? ""
        let names = try store.staffNames()  // a notice names only who is responsible or assigned
        let base = config.baseURL + config.gatewayPath
        let linkMode = config.ticketPages == .link, siteURL = config.baseURL
        let plan = MailPlan(supportTeam: config.supportTeam) { change, token in
            let link = if linkMode, let token { "\(siteURL)/t/\(token)/" } else { "\(base)/tickets/\(change.ticket.number)" }
            return views.notice(for: change, actorName: actorName, names: names, link: link)
        }
        mailPlans.append(plan)
        return plan
    }

    /// After the commit: the touched pages now, under the build lock. A failure here does not
    /// undo the change; the pages are marked stale and the next view or build renders them.
    func regeneratePages(_ numbers: [TicketNumber]) {
        CrashPoint.reach("gateway.before-regeneration")
        // The page's temporary file made before the build lock, not while others wait for it.
        AtomicFile.prepareTemporary(in: paths.output + "/" + AtomicFile.temporaryFolderName)
        do {
            try builder().regeneratePages(touchedBy: numbers, now: now)
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: pages of \(numbers): \(error)\n".utf8))
            try? store.markPagesStale(numbers.map(SiteBuilder.ticketPagePath))
        }
    }

    // MARK: - Search

    /// `GET /kb/search?q=`: anyone; FTS5, accents folded, bm25.
    func kbSearch() throws -> Response {
        _ = try? currentSession()  // for the CSRF token of the logout form
        let query = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard query.unicodeScalars.count <= 200 else { throw GatewayError(400, "at most 200 characters", field: "q") }
        let hits = try store.searchKB(query)
        if request.wantsJSON {
            return .json(200, .object([
                ("query", .string(query)),
                ("results", .array(hits.map {
                    .object([
                        ("slug", .string($0.slug)), ("title", .string($0.title)), ("product", .string($0.product)),
                        ("snippet", .string(ByteText.replacing("\u{3}", with: "", in: ByteText.replacing("\u{2}", with: "", in: $0.snippet)))),
                        ("url", .string("/kb/\($0.slug)/")),
                    ])
                })),
            ]))
        }
        return try page(200) { $0.search(query: query, hits: hits, csrf: csrfToken) }
    }
}
