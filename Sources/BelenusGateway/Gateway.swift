import BelenusCore
import BelenusInput
import BelenusMail
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// The CGI gateway (SPEC §5): one request in, one response out; then the mail it queued.
///
/// A request goes: route (404/405) → origin (403) → size (413, before reading) → content type
/// (415) → session (401) → body (400) → CSRF token (403) → the route's rules (400/403/404/409)
/// → one transaction → the touched pages rendered again → 303.
public final class Gateway {
    public let paths: SitePaths
    let request: CGIRequest
    let readBody: (Int) throws -> [UInt8]
    let now: Date
    let config: SiteConfig
    /// Opened at its first use, within `respond()`: a database busy past the busy timeout (a
    /// site's first import has it alone) is then answered like any failure, with its page.
    private lazy var opened: Result<Store, Error> = Result { try Store(path: paths.database) }
    var store: Store {
        get throws { try opened.get() }
    }
    lazy var views: Result<GatewayViews, Error> = Result { try GatewayViews(paths: paths, config: config) }
    /// The mail this request queued (ids known after the commit), delivered after the answer.
    var mailPlans: [MailPlan] = []
    /// Mail with a link to set a password, sent after the answer and never queued (`AccountMail`).
    var accountMails: [AccountMail] = []
    /// What the session step found, once it ran: the person's session and the CSRF token of
    /// their cookie. For the answers made outside a handler (an error page's logout form, the
    /// request log) and the pages of routes anyone may ask for; a handler of a signed-in route
    /// gets both in its `SignedIn`.
    private(set) var session: Session?
    private(set) var csrfToken = ""

    /// - Parameters:
    ///   - readBody: reads exactly n bytes of the body, or fewer if it ends early.
    public init(request: CGIRequest, site: String, now: Date = Date(), readBody: @escaping (Int) throws -> [UInt8]) throws {
        self.paths = SitePaths(root: site)
        guard FileManager.default.fileExists(atPath: paths.database) else {
            throw GatewayError(500, "no site at \(paths.root): BELENUS_SITE must name a folder made by belenus init")
        }
        self.request = request
        self.readBody = readBody
        self.now = now
        self.config = try SiteConfig.load(path: paths.config)
    }

    /// The answer; never throws: every failure becomes its status page.
    public func respond() -> Response {
        do {
            return try dispatch()
        } catch let error as HTTPResponseError {
            var response = errorResponse(error)
            if response.status == 503 { response.headers.append((name: "Retry-After", value: "2")) }
            return response
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: \(request.method) \(request.path): \(error)\n".utf8))
            return errorResponse(GatewayError(500, "the request could not be completed"))
        }
    }

    /// Appends the line of this request and its `response` to `var/log/gateway.log`; `started`
    /// is when the process began. The user is the session's, or whom the answer signed in.
    public func logRequest(_ response: Response, started: Date) {
        let status = response.status
        let user = session?.user.login ?? response.signedIn
        RequestLog(site: paths.root).append(RequestLog.line(
            at: started.timeIntervalSince1970, method: request.method, route: request.path, user: user?.rawValue, status: status,
            milliseconds: Date().timeIntervalSince(started) * 1000))
    }

    /// Hands this request's mail to the transport (after the answer has gone out); a failure
    /// stays queued for `belenus mail deliver`.
    public func deliverQueuedMail() {
        let queuedMail = mailPlans.flatMap(\.queuedIDs)
        guard !queuedMail.isEmpty || !accountMails.isEmpty else { return }
        ignoreBrokenPipes()
        let transport = MailTransport.configured(
            config.mailTransport.rawValue, sendmailCommand: config.sendmailCommand, mailFolder: paths.mail)
        for mail in accountMails {
            do { try mail.send(through: transport, from: config.mailFrom) } catch {
                FileHandle.standardError.write(Data("belenus-gateway: the account mail to \(mail.to) was not sent: \(error)\n".utf8))
            }
        }
        guard !queuedMail.isEmpty else { return }
        guard let store = try? store else { return }  // opened: mail was queued
        let delivery = MailDelivery(store: store, transport: transport, from: config.mailFrom)
        do {
            let report = try delivery.deliver(ids: queuedMail)
            for line in report.errors { FileHandle.standardError.write(Data("belenus-gateway: mail \(line)\n".utf8)) }
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: mail: \(error)\n".utf8))
        }
    }

    /// A path below the gateway's mount point.
    func link(_ route: String) -> String { config.gatewayPath + route }

    // MARK: - Sessions and forgery

    /// The person's session, or nil (no cookie, expired, logged out, disabled).
    func currentSession() throws -> Session? {
        if let session { return session }
        guard let token = request.cookies["belenus_session"], CGIText.isToken(token) else { return nil }
        session = try store.session(tokenHash: Secrets.sha256(token), at: now)
        if let session, let csrf = request.cookies["belenus_csrf"], CGIText.isToken(csrf),
           ByteText.constantTimeEquals(Secrets.sha256(csrf), session.csrfHash) {
            csrfToken = csrf
        }
        return session
    }

    func requireSession() throws -> Session {
        guard let session = try currentSession() else { throw GatewayError(401, "log in first") }
        return session
    }

    /// SPEC §5: a POST whose `Origin` or `Sec-Fetch-Site` names another site is refused.
    ///
    /// `Origin: null` names no site: browsers send it for a form on a `no-referrer` page, which
    /// link mode's ticket pages are (SPEC §6). It passes only when the browser also says
    /// `Sec-Fetch-Site: same-origin`; a sandboxed frame or a `data:` page of another site says
    /// `cross-site`, and a browser that says nothing is refused.
    func checkOrigin() throws(GatewayError) {
        let fetchSite = request.headers["sec-fetch-site"]?.lowercased()
        if let site = fetchSite, site != "same-origin", site != "none" {
            throw GatewayError(403, "a form from another site (Sec-Fetch-Site: \(site))")
        }
        guard let origin = request.headers["origin"] else { return }
        if ByteText.same(origin, "null"), fetchSite == "same-origin" { return }
        var allowed = [Self.origin(of: config.baseURL)]
        if let host = request.headers["host"] { allowed.append((request.isHTTPS ? "https://" : "http://") + host.lowercased()) }
        guard allowed.contains(where: { ByteText.same($0, origin.lowercased()) }) else {
            throw GatewayError(403, "a form from another site (Origin: \(origin))")
        }
    }

    /// "http://host:port" of a URL.
    static func origin(of url: String) -> String {
        let parts = ByteText.components(url, separatedBy: "://")
        guard parts.count >= 2 else { return url.lowercased() }
        let rest = parts.dropFirst().joined(separator: "://")
        let host = ByteText.split(rest, at: "/", maxSplits: 1, keepingEmpty: true).first ?? ""
        return (parts[0] + "://" + host).lowercased()
    }

    /// A POST's form, after every check that comes before the route's own.
    func postedForm(requiringSession: Bool = true) throws -> FormFields {
        try checkOrigin()
        let limits = BodyLimits(maxFiles: config.maxAttachments, maxFileBytes: config.maxAttachmentBytes)
        try request.checkBodyHeaders(limits)
        let session = requiringSession ? try requireSession() : nil
        let form = try request.form(body: try readBody(request.contentLength), limits: limits)
        if let session {
            guard let token = form.value("csrf"), !token.isEmpty else {
                throw GatewayError(403, "the form has no CSRF token", field: "csrf", code: "csrf")
            }
            guard ByteText.constantTimeEquals(Secrets.sha256(token), session.csrfHash) else {
                throw GatewayError(403, "the form's CSRF token is not this session's", field: "csrf", code: "csrf")
            }
        }
        return form
    }

    /// The generator, sharing the views' config and theme (loaded once per request).
    func builder() throws -> SiteBuilder {
        let views = try views.get()
        return SiteBuilder(paths: paths, store: try store, config: views.config, theme: views.theme)
    }

    // MARK: - Answers

    /// A page the gateway renders, its header naming who is signed in.
    func page(_ status: Int, _ render: (GatewayViews) -> [UInt8]) throws -> Response {
        var views = try views.get()
        views.viewer = session.map { (name: $0.user.name, admin: $0.user.role == .admin) }
        return .html(status, bytes: render(views))
    }

    func errorResponse(_ error: any HTTPResponseError) -> Response {
        if request.wantsJSON {
            return .json(error.status, .object([("error", .string(error.message)), ("field", .optional(error.formField))]))
        }
        if error.status == 401, request.method == "GET" || request.method == "HEAD" {
            return .seeOther(link("/login"), json: false)
        }
        guard let views = try? views.get() else {
            return Response(
                status: error.status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Array("\(error.formField.map { "\($0): " } ?? "")\(error.message)\n".utf8))
        }
        let back = request.method == "GET" ? "/" : (request.headers["referer"].flatMap(Self.sameSitePath) ?? "/")
        let message = views.message(code: error.code, values: error.values, fallback: error.message)
        return .html(
            error.status, bytes: views.error(status: error.status, message: message, field: error.formField, back: back, csrf: csrfToken))
    }

    /// The path of a same-site URL, for "back" links; nil for another site's.
    /// By bytes: "//" then U+0301 is "/" and "/" + U+0301 to `hasPrefix`, so "//" + U+0301 +
    /// "evil.example" passed for a path on this site and became a link to another host.
    static func sameSitePath(_ url: String) -> String? {
        func local(_ path: String) -> Bool {
            ByteText.hasPrefix(path, "/") && !ByteText.hasPrefix(path, "//") && !ByteText.hasPrefix(path, "/\\")
        }
        if local(url) { return url }
        let parts = ByteText.components(url, separatedBy: "://")
        guard parts.count >= 2 else { return nil }
        let rest = Array(parts.dropFirst().joined(separator: "://").utf8)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return "/" }
        let path = String(decoding: rest[slash...], as: UTF8.self)
        return local(path) ? path : "/"
    }
}
