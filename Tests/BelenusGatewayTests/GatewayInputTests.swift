import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

/// Bad input gets a clear error naming the field and changes nothing: no row, no file, no mail.
@Suite struct GatewayBadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let status: Int
        let field: String?
        let body: [UInt8]
        let contentType: String
        var contentLength: Int? = nil
        var testDescription: String { name }
    }

    static func fields(title: String = "Título") -> [(String, String)] {
        [("title", title), ("product", "Nómina"), ("version", "2025.1"), ("body", "Descripción")]
    }

    static let limit = 1_048_576

    static let cases: [Case] = [
        Case(name: "a file over max_attachment_bytes", status: 413, field: "file",
             body: CGI.multipart(fields(), files: [("file", "big.bin", [UInt8](repeating: 65, count: limit + 1))]), contentType: CGI.multipartType),
        Case(name: "more files than max_attachments", status: 400, field: "file",
             body: CGI.multipart(fields(), files: (1...4).map { ("file", "f\($0).txt", Array("x\($0)".utf8)) }), contentType: CGI.multipartType),
        Case(name: "a body announced over the limit", status: 413, field: "file", body: [], contentType: CGI.multipartType,
             contentLength: 3 * limit + 300 * 1024),
        Case(name: "a truncated multipart body", status: 400, field: "body",
             body: Array(CGI.multipart(fields()).dropLast(60)), contentType: CGI.multipartType),
        Case(name: "a multipart body without a boundary parameter", status: 400, field: "Content-Type",
             body: CGI.multipart(fields()), contentType: "multipart/form-data"),
        Case(name: "a body shorter than CONTENT_LENGTH", status: 400, field: "form",
             body: CGI.urlencoded(fields()), contentType: "application/x-www-form-urlencoded", contentLength: CGI.urlencoded(fields()).count + 50),
        Case(name: "invalid UTF-8 in the title", status: 400, field: "title",
             body: Array("title=%C3%28&product=N%C3%B3mina&version=2025.1&body=x".utf8), contentType: "application/x-www-form-urlencoded"),
        Case(name: "an unknown product", status: 400, field: "product",
             body: CGI.urlencoded([("title", "t"), ("product", "Inventarios"), ("version", "1"), ("body", "b")]), contentType: "application/x-www-form-urlencoded"),
        Case(name: "an unknown version", status: 400, field: "version",
             body: CGI.urlencoded([("title", "t"), ("product", "Nómina"), ("version", "1999"), ("body", "b")]), contentType: "application/x-www-form-urlencoded"),
        Case(name: "a missing title", status: 400, field: "title",
             body: CGI.urlencoded([("product", "Nómina"), ("version", "2025.1"), ("body", "b")]), contentType: "application/x-www-form-urlencoded"),
        Case(name: "a JSON body", status: 415, field: nil, body: Array("{\"title\":\"x\"}".utf8), contentType: "application/json"),
        Case(name: "too many fields", status: 400, field: "x",
             body: CGI.urlencoded(fields() + (1...80).map { _ in ("x", "y") }), contentType: "application/x-www-form-urlencoded"),
    ]

    @Test(arguments: cases)
    func badInputIsRefusedAndLeavesNothing(_ c: Case) throws {
        let site = try GatewaySite.make()
        var body = c.body
        // The CSRF token goes first, as the forms send it, so that the error is the input's.
        if c.contentType.hasPrefix("application/x-www-form-urlencoded") {
            body = Array("csrf=\(site.ana.csrf)&".utf8) + body
        } else if c.contentType == CGI.multipartType, !body.isEmpty {
            body = Array("--\(CGI.boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(site.ana.csrf)\r\n".utf8) + body
        }
        let length = c.contentLength.map { $0 + (body.count - c.body.count) }
        let answer = try CGI.run(site: site.root, "POST", "/tickets", body: body, contentType: c.contentType, session: site.ana,
                                 headers: ["Accept": "application/json"], contentLength: length, through: site.runner)
        #expect(answer.status == c.status, "\(answer.body)")
        if let field = c.field { #expect(answer.json["field"] as? String == field, "\(answer.body)") }
        #expect(answer.json["error"] is String)
        #expect(try site.count("tickets") == 0)
        #expect(try site.count("attachments") == 0)
        #expect(try site.count("outbox") == 0)
        #expect(site.files(in: "var/attachments").isEmpty)
        #expect(site.files(in: "var/mail/sent").isEmpty)
    }

    /// RFC 3875 §4.1.2: CONTENT_LENGTH is digits; anything else is the client's 400 with the
    /// usual error page (or JSON), never "the site is not set up".
    @Test(arguments: ["-5", "abc", "1.5", " 12"])
    func aMalformedContentLengthIsA400(_ length: String) throws {
        let site = try GatewaySite.make()
        defer { try? FileManager.default.removeItem(atPath: site.root) }
        let body = CGI.urlencoded([("csrf", site.ana.csrf), ("title", "T"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b")])
        let html = try CGI.run(site: site.root, "POST", "/tickets", body: body, contentType: "application/x-www-form-urlencoded",
                               session: site.ana, extra: ["CONTENT_LENGTH": length], through: site.runner)
        #expect(html.status == 400, "\(html.body)")
        #expect(html.header("Content-Type")?.hasPrefix("text/html") == true && html.body.contains("CONTENT_LENGTH"), "\(html.body)")
        #expect(!html.body.contains("not set up"))
        let json = try CGI.run(site: site.root, "GET", "/tickets", session: site.ana, headers: ["Accept": "application/json"], extra: ["CONTENT_LENGTH": length], through: site.runner)
        #expect(json.status == 400 && json.json["error"] is String, "\(json.body)")
        #expect(try site.count("tickets") == 0)
    }

    @Test func aRefusedFormShowsAgainWithWhatWasTyped() throws {
        let site = try GatewaySite.make()
        let answer = try site.run("POST", "/tickets", as: site.ana, multipart: [
            ("title", "Mi título \"con comillas\""), ("product", "Inventarios"), ("version", "1.0"), ("body", "Texto <largo>"),
        ])
        #expect(answer.status == 400)
        #expect(answer.body.contains("value=\"Mi título &quot;con comillas&quot;\""))
        #expect(answer.body.contains("Texto &lt;largo&gt;</textarea>"))
        #expect(answer.body.contains("«Producto»: no existe «Inventarios»"))
    }

    /// A screenshot over the limit (or a file too many) brings the form back with what was typed
    /// and the error on *Archivos*, not a bare error page; nothing is stored.
    @Test(arguments: [(1, 1_048_576 + 500_000, 413), (4, 10, 400)])
    func aFileRefusedBringsTheNewTicketFormBack(_ count: Int, _ size: Int, _ status: Int) throws {
        let site = try GatewaySite.make()
        let files = (1...count).map { ("file", "captura \($0).png", [UInt8](repeating: 0x89, count: size)) }
        let answer = try site.run("POST", "/tickets", as: site.ana, multipart: [
            ("title", "No timbra \"enero\""), ("product", "Nómina"), ("version", "2025.1"), ("body", "Adjunto la *captura*."),
        ], files: files)
        #expect(answer.status == status, "\(answer.body)")
        #expect(answer.body.contains("value=\"No timbra &quot;enero&quot;\"") && answer.body.contains("Adjunto la *captura*.</textarea>"))
        #expect(answer.body.contains("<option value=\"2025.1\" selected>2025.1</option>"))
        #expect(answer.body.contains("«Archivos»"), "\(answer.body)")
        #expect(try site.count("tickets") == 0 && site.files(in: "var/attachments").isEmpty)
        // The same to a comment: the ticket's page with the text put back.
        let n = try site.openTicket(as: site.ana)
        let comment = try site.run("POST", "/tickets/\(n)/comments", as: site.ana, multipart: [("body", "Otra captura")], files: files)
        #expect(comment.status == status && comment.body.contains("Otra captura</textarea>") && comment.body.contains("«Archivos»"))
        #expect(try site.count("events") == 1 && site.files(in: "var/attachments").isEmpty)
    }

    /// The version list is the products' own versions, grouped by product; the server checks the pair.
    @Test func theVersionIsChosenFromTheProductsVersions() throws {
        let site = try GatewaySite.make()
        let form = try site.run("GET", "/tickets/new", as: site.ana).body
        #expect(form.contains("<optgroup label=\"Nómina\" data-product=\"Nómina\"><option value=\"2024.1\">2024.1</option><option value=\"2025.1\">2025.1</option></optgroup>"))
        #expect(form.contains("<optgroup label=\"Bancos\" data-product=\"Bancos\"><option value=\"3.0\">3.0</option></optgroup>"))
        #expect(form.contains("data-max-bytes=\"1048576\"") && form.contains("data-max-files=\"3\""))
        let wrong = try site.run("POST", "/tickets", as: site.ana, multipart: [("title", "t"), ("product", "Bancos"), ("version", "2025.1"), ("body", "b")])
        #expect(wrong.status == 400 && wrong.body.contains("«2025.1» no es una versión de Bancos"))
    }

    @Test func aRefusedCommentShowsTheTicketWithTheTextPutBack() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let long = "<b>Mi texto</b> " + String(repeating: "a", count: 70_000)
        let answer = try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", long)])
        #expect(answer.status == 400)
        #expect(answer.body.contains("<textarea id=\"c-body\" name=\"body\" rows=\"5\" required>&lt;b&gt;Mi texto&lt;/b&gt; aaaa"))
        #expect(answer.body.contains("class=\"error\" role=\"alert\""))
        #expect(try site.count("events") == 1)
        let json = try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", " ")], json: true)
        #expect(json.status == 400 && json.json["field"] as? String == "body")
    }

    /// Every ticket form keeps what was typed when it is refused, in its own fields, with the
    /// session's token in the page (rendered from the page's model, not patched).
    @Test func refusedTicketFormsComeBackWithWhatWasTyped() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let update = try site.run("POST", "/tickets/\(n)/update", as: site.tech, fields: [("due_at", "mañana <pronto>"), ("provider_ref", "PRV-\"9\"")])
        #expect(update.status == 400)
        #expect(update.body.contains("<input id=\"u-due\" name=\"due_at\" type=\"datetime-local\" value=\"mañana &lt;pronto&gt;\">"))
        #expect(update.body.contains("<input id=\"u-ref\" name=\"provider_ref\" value=\"PRV-&quot;9&quot;\">"))
        #expect(update.body.contains("«Fecha compromiso»") && update.body.contains("name=\"csrf\" value=\"\(site.tech.csrf)\""))
        #expect(!update.body.contains("<!--belenus:client-->"))
        let close = try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", String(repeating: "x", count: 70_000))])
        #expect(close.status == 400 && close.body.contains("<textarea id=\"x-body\" name=\"body\" rows=\"4\" required>xxxx"))
        #expect(close.body.contains("<textarea id=\"s-body\" name=\"body\" rows=\"5\" required></textarea>"), "only the refused form keeps text")
        #expect(try site.count("events") == 1)
    }

    @Test func aRefusedCommentWithAFileLeavesNoFile() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        _ = try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "Listo.")])
        _ = try site.run("POST", "/tickets/\(n)/approve", as: site.ana, fields: [])
        let answer = try site.run("POST", "/tickets/\(n)/comments", as: site.ana, multipart: [("body", "uno más")],
                                  files: [("file", "nuevo.txt", Array("contenido nuevo".utf8))])
        #expect(answer.status == 409)
        #expect(site.files(in: "var/attachments").isEmpty)
        #expect(try site.count("events") == 3)
    }
}

/// Markup and script from any field never reach a page or a mail as markup.
@Suite struct GatewayXSSTests {
    static let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"><svg onload=alert(1)>",
        "\"\u{0301} onmouseover=alert(1) x=\"",
        "<\u{0301}script>alert(1)</script>",
    ]

    @Test func payloadsInEveryFieldAreInert() throws {
        let site = try GatewaySite.make()
        let title = Self.payloads.joined(separator: " ")
        let body = Self.payloads.joined(separator: "\n\n") + "\n\n[clic](javascript:alert(1)) <a href=\"javascript:alert(2)\">x</a>"
        let n = try site.openTicket(as: site.ana, title: String(title.prefix(200)), body: body,
                                    files: [("file", "<img src=x onerror=alert(1)>.txt", Array("x".utf8))])
        // Each is stored (a refused one would show nothing, and prove nothing).
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", body)]).status == 303)
        #expect(try site.run("POST", "/tickets/\(n)/update", as: site.tech, fields: [("provider_ref", "<script>alert(2)</script>")]).status == 303)
        let combiningQuote = "\"\u{0301} onmouseover", combiningTag = "<\u{0301}script"
        for who in [site.ana, site.tech] {
            let page = try site.run("GET", "/tickets/\(n)", as: who).body
            // There, as text: escaped, not dropped.
            #expect(page.contains("&lt;script&gt;alert(2)&lt;/script&gt;") && page.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"), "\(page)")
            #expect(page.components(separatedBy: "&lt;img src=x onerror=alert(1)&gt;").count >= 3, "title, body and comment")
            #expect(!page.contains("<script>alert"))
            #expect(!page.contains("<img src=x"))
            #expect(!page.contains("<svg"))
            #expect(!page.contains("javascript:"))
            #expect(!page.contains(combiningQuote))
            #expect(!page.contains(combiningTag))
        }
        let list = try site.run("GET", "/tickets", as: site.tech).body
        #expect(!list.contains("<script>alert") && !list.contains("<svg"))
        // Published to the knowledge base: the article, the lists, the feed and the search.
        #expect(try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "ok")]).status == 303)
        #expect(try site.run("POST", "/tickets/\(n)/approve", as: site.ana, fields: []).status == 303)
        let published = try site.run("POST", "/tickets/\(n)/publish", as: site.tech, fields: [("title", "Artículo <script>alert(1)</script>"), ("body", body)])
        #expect(published.status == 303)
        let slug = published.location.split(separator: "/").last.map(String.init) ?? ""
        for page in ["output/public/kb/\(slug)/index.html", "output/public/kb/index.html", "output/public/kb/all/index.html", "output/public/index.html"] {
            let text = site.read(page)
            #expect(text.contains("Artículo &lt;script&gt;"), "\(page)")
            #expect(!text.contains("<script>alert") && !text.contains("<img src=x") && !text.contains("javascript:") && !text.contains(combiningTag), "\(page)")
        }
        #expect(!site.read("output/public/kb/feed.xml").contains("<script>alert"))
        let search = try site.run("GET", "/kb/search", query: "q=alert").body
        #expect(search.contains("<mark>") && !search.contains("<script>alert") && !search.contains("<svg"))
        for mail in site.files(in: "var/mail/sent") {
            let text = site.read("var/mail/sent/\(mail)")
            #expect(text.contains("Content-Type: text/plain; charset=utf-8"))
            let headerBlock = text.components(separatedBy: "\r\n\r\n")[0]
            #expect(!headerBlock.contains("<script>"))
        }
    }

    @Test func aTitleCannotAddAMailHeader() throws {
        let site = try GatewaySite.make()
        let answer = try site.run("POST", "/tickets", as: site.ana, fields: [
            ("title", "Hola\r\nBcc: victima@example.com"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b"),
        ], json: true)
        #expect(answer.status == 400 && answer.json["field"] as? String == "title")
        #expect(site.files(in: "var/mail/sent").isEmpty)
    }
}

@Suite struct GatewayConcurrencyTests {
    @Test func sixteenConcurrentCommentsAllLandAndAllShow() async throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let path = site.root + "/output/private/tickets/\(n)/index.html"
        let writing = Flag()
        // A reader that keeps reading the page while the comments are written: never a torn page.
        let reader = Task.detached { () -> (reads: Int, torn: Int) in
            var reads = 0, torn = 0
            while !writing.isDone {
                guard let data = FileManager.default.contents(atPath: path) else { torn += 1; continue }
                let text = String(decoding: data, as: UTF8.self)
                reads += 1
                if !CGI.isWholePage(text) { torn += 1 }
            }
            return (reads, torn)
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 1...16 {
                group.addTask {
                    let who = i % 2 == 0 ? site.ana : site.tech
                    return try site.run("POST", "/tickets/\(n)/comments", as: who, fields: [("body", "Comentario número \(i) de 16")]).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        writing.finish()
        let seen = await reader.value
        #expect(seen.reads > 0 && seen.torn == 0, "\(seen)")
        #expect(statuses.count == 16 && statuses.allSatisfy { $0 == 303 }, "\(statuses)")
        #expect(try site.sqlite("SELECT COUNT(*) FROM events WHERE kind = 'comment'") == "16")
        let page = site.read("output/private/tickets/\(n)/index.html")
        #expect(CGI.isWholePage(page))
        for i in 1...16 { #expect(page.contains("Comentario número \(i) de 16"), "comment \(i)") }
        #expect(try site.sqlite("SELECT revision FROM tickets") == "17")
    }
}

@Suite struct MailDeliveryTests {
    @Test func aRefusedDeliveryStaysQueuedAndMailDeliverSendsItLater() throws {
        let site = try GatewaySite.make()
        let config = site.root + "/belenus.toml"
        let original = site.read("belenus.toml")
        // A sendmail that refuses: the request still succeeds, the mail stays in the outbox.
        try site.configure(["mail.transport": .string("sendmail"), "mail.sendmail_command": .string("/bin/false")])
        #expect(try site.openTicket(as: site.ana) == 1)
        let queued = try site.sqlite("SELECT attempts, sent_at IS NULL, last_error FROM outbox")
        #expect(queued.hasPrefix("1|1|/bin/false exited with 1"))
        // Back on a working transport, after the back-off: delivered once.
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        _ = try site.sqlite("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'")
        let run = try CLI.run(["mail", "deliver", "--site", site.root])
        #expect(run.status == 0 && run.stdout.contains("1 sent"), "\(run.stderr)")
        #expect(site.files(in: "var/mail/sent").count == 1)
        #expect(try CLI.run(["mail", "deliver", "--site", site.root]).stdout.contains("0 sent"))
    }
}


@Suite struct RegenerationFailureTests {
    /// Through the binary: what it tells the web server's error log (stderr) is checked too.
    @Test func aChangeWhosePagesCannotBeWrittenIsKeptAndTheNextBuildRepairsThePage() throws {
        let site = try GatewaySite.make(through: .binary)
        let n = try site.openTicket(as: site.ana)
        // The page's folder becomes a file: writing the page fails after the commit.
        let folder = site.root + "/output/private/tickets/\(n)"
        try FileManager.default.removeItem(atPath: folder)
        try "not a folder".write(toFile: folder, atomically: false, encoding: .utf8)
        let answer = try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "Comentario que sí quedó")])
        #expect(answer.status == 303)
        #expect(answer.stderr.contains("pages of"))
        #expect(try site.sqlite("SELECT COUNT(*) FROM events WHERE kind = 'comment'") == "1")
        #expect(try site.sqlite("SELECT fingerprint FROM pages WHERE path = 'private/tickets/\(n)/index.html'") == "stale")
        try FileManager.default.removeItem(atPath: folder)
        let build = try CLI.run(["build", "--site", site.root])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(site.read("output/private/tickets/\(n)/index.html").contains("Comentario que sí quedó"))
    }
}
