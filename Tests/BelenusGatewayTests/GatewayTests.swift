import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusStore
import Foundation
import Testing

/// The gateway as a web server runs it: the real binary, real CGI variables, real bodies.
@Suite struct GatewaySessionTests {
    @Test func loginSetsBothCookiesWithTheirFlagsAndANewSessionEachTime() throws {
        let site = try GatewaySite.make()
        func login() throws -> CGI.Answer {
            try site.run("POST", "/login", fields: [("login", "ana"), ("password", GatewaySite.passwords["ana"]!)])
        }
        let first = try login(), second = try login()
        #expect(first.status == 303)
        #expect(first.location == "/cgi-bin/belenus/tickets")
        let session = first.cookies.first { $0.hasPrefix("belenus_session=") } ?? ""
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && !session.contains("Secure"))
        let csrf = first.cookies.first { $0.hasPrefix("belenus_csrf=") } ?? ""
        #expect(!csrf.isEmpty && !csrf.contains("HttpOnly"))
        #expect(first.cookie("belenus_session")?.count == 64)
        #expect(first.cookie("belenus_session") != second.cookie("belenus_session"))
        // Only hashes are stored: the cookie's value is nowhere in the database.
        let token = try #require(first.cookie("belenus_session"))
        #expect(try site.sqlite("SELECT COUNT(*) FROM sessions WHERE token_hash = '\(token)' OR csrf_hash = '\(token)'") == "0")
        let db = try Data(contentsOf: URL(fileURLWithPath: site.root + "/var/belenus.sqlite3"))
        #expect(db.range(of: Data(token.utf8)) == nil)
    }

    @Test func aWrongPasswordAndAnUnknownLoginGetTheSameAnswer() throws {
        let site = try GatewaySite.make()
        let wrong = try site.run("POST", "/login", fields: [("login", "ana"), ("password", "not-her-password")], json: true)
        let unknown = try site.run("POST", "/login", fields: [("login", "nobody"), ("password", "not-her-password")], json: true)
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.body == unknown.body)
        #expect(wrong.cookies.isEmpty && unknown.cookies.isEmpty)
    }

    @Test func repeatedFailedLoginsAre429EvenWithTheRightPassword() throws {
        let site = try GatewaySite.make()
        for _ in 0..<5 {
            #expect(try site.run("POST", "/login", fields: [("login", "bob"), ("password", "guess-guess")]).status == 401)
        }
        let blocked = try site.run("POST", "/login", fields: [("login", "bob"), ("password", GatewaySite.passwords["bob"]!)])
        #expect(blocked.status == 429)
        #expect(blocked.cookie("belenus_session") == nil)
    }

    @Test func logoutEndsTheSessionInTheDatabase() throws {
        let site = try GatewaySite.make()
        #expect(try site.run("GET", "/tickets", as: site.ana).status == 200)
        let out = try site.run("POST", "/logout", as: site.ana, fields: [])
        #expect(out.status == 303 && out.location == "/cgi-bin/belenus/login")
        let after = try site.run("GET", "/tickets", as: site.ana)
        #expect(after.status == 303 && after.location == "/cgi-bin/belenus/login")
        #expect(try site.run("GET", "/tickets", as: site.ana, json: true).status == 401)
    }

    @Test func aDisabledUsersSessionEnds() throws {
        let site = try GatewaySite.make()
        #expect(try CLI.run(["user", "disable", "bob", "--site", site.root]).status == 0)
        #expect(try site.run("GET", "/tickets", as: site.bob, json: true).status == 401)
    }

    @Test(arguments: [
        ("no token", [String: String](), false),
        ("wrong token", [:], true),
        ("Origin of another site", ["Origin": "https://evil.example"], false),
        ("Sec-Fetch-Site cross-site", ["Sec-Fetch-Site": "cross-site"], false),
    ])
    func forgedPostsAre403AndChangeNothing(_ name: String, _ headers: [String: String], _ wrongToken: Bool) throws {
        let site = try GatewaySite.make()
        var fields = [("title", "Forjado"), ("product", "Nómina"), ("version", "2025.1"), ("body", "x")]
        if wrongToken { fields.insert(("csrf", String(repeating: "0", count: 64)), at: 0) }
        let answer = try CGI.run(site: site.root, "POST", "/tickets", body: CGI.urlencoded(fields),
                                 contentType: "application/x-www-form-urlencoded", session: site.ana, headers: headers)
        #expect(answer.status == 403, "\(name)")
        #expect(try site.count("tickets") == 0)
        #expect(try site.count("outbox") == 0)
    }

    @Test func aSameOriginPostIsAccepted() throws {
        let site = try GatewaySite.make()
        let answer = try site.run("POST", "/tickets", as: site.ana, multipart: [("title", "t"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b")],
                                  headers: ["Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"])
        #expect(answer.status == 303)
    }

    @Test func notLoggedInHtmlGetsGoToLoginAndPostsAre401() throws {
        let site = try GatewaySite.make()
        let page = try site.run("GET", "/tickets/new")
        #expect(page.status == 303 && page.location == "/cgi-bin/belenus/login")
        let post = try CGI.run(site: site.root, "POST", "/tickets", body: CGI.urlencoded([("title", "x")]), contentType: "application/x-www-form-urlencoded")
        #expect(post.status == 401)
        #expect(try site.run("GET", "/login").status == 200)
    }
}

@Suite struct GatewayTicketTests {
    /// The token goes wherever the theme writes `{{csrf}}` (the engine records the places when
    /// it renders the file): a webmaster who writes the attribute first, or adds a form of their
    /// own, still gets working forms; the served page does not show the list of places.
    @Test func theSessionsTokenGoesWhereverTheThemeWritesIt() throws {
        let site = try GatewaySite.make()
        let template = site.root + "/site-templates/ticket.mustache"
        let text = site.read("site-templates/ticket.mustache")
        try text.replacingOccurrences(of: "<input type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\">", with: "<input value=\"{{csrf}}\" type=\"hidden\" name=\"csrf\">")
            .replacingOccurrences(of: "{{/main}}", with: "<p data-token=\"{{csrf}}\"></p>{{/main}}")
            .write(toFile: template, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let n = try site.openTicket(as: site.ana)
        for (who, token) in [(site.ana, site.ana.csrf), (site.tech, site.tech.csrf)] {
            let page = try site.run("GET", "/tickets/\(n)", as: who).body
            let forms = page.components(separatedBy: "<input value=\"").dropFirst()
            #expect(!forms.isEmpty && forms.allSatisfy { $0.hasPrefix(token + "\" type=\"hidden\" name=\"csrf\"") }, "\(page)")
            #expect(page.contains("<p data-token=\"\(token)\"></p>") && !page.contains("belenus:slots") && page.hasSuffix("</html>\n"))
            #expect(page.contains("name=\"csrf\" value=\"\(token)\""))  // the layout's logout form, as it was
            #expect(!page.contains("name=\"csrf\" value=\"\"") && !page.contains("<input value=\"\" type=\"hidden\" name=\"csrf\""))
        }
        // The file itself holds no token.
        #expect(!site.read("output/private/tickets/\(n)/index.html").contains(site.ana.csrf))
    }

    /// A site in Mexico City: the technician's deadline typed as a local clock time is stored
    /// as the UTC instant; pages and mail show it local, JSON as UTC.
    @Test func aDeadlineTypedLocallyIsStoredAsItsInstant() throws {
        let site = try GatewaySite.make()
        try site.configure(["timezone": .string("America/Mexico_City")])
        let n = try site.openTicket(as: site.ana)
        let answer = try site.run("POST", "/tickets/\(n)/update", as: site.tech, fields: [("due_at", "2026-12-15T10:00")])
        #expect(answer.status == 303, "\(answer.body)")
        #expect(try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)") == "2026-12-15T16:00:00Z")
        let page = try site.run("GET", "/tickets/\(n)", as: site.tech).body
        #expect(page.contains("<time datetime=\"2026-12-15T16:00:00Z\">15 dic 2026, 10:00</time>") && !page.contains(" UTC"), "\(page)")
        #expect(page.contains("name=\"due_at\" type=\"datetime-local\" value=\"2026-12-15T10:00\""))
        #expect(try site.run("GET", "/tickets/\(n)", as: site.tech, json: true).json["due_at"] as? String == "2026-12-15T16:00:00Z")
        let list = try site.run("GET", "/tickets", as: site.tech).body
        #expect(!list.contains(" UTC") && list.contains("15 dic 2026, 10:00"))
    }

    /// Issue 32: a site whose deadlines count in office hours. A plazo typed as business hours
    /// from now is laid out in the ticket's calendar; pages and JSON carry the due-soon instant
    /// and the calendar; hours that are not a number are refused, naming the field, and kept.
    @Test func aPlazoTypedInBusinessHoursCountsInTheTicketsCalendar() throws {
        let site = try GatewaySite.make()
        let mexico = try #require(TimeZone(identifier: "America/Mexico_City"))
        let office = BusinessCalendar(
            name: "oficina", zone: IANAZone(mexico), hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00"), holidays: try Holidays(parsing: "mx-lft"))
        try Store(path: site.root + "/var/belenus.sqlite3").addCalendar(office)
        try site.configure(["timezone": .string("America/Mexico_City"), "tickets.calendar": .string("oficina")])
        let n = try site.openTicket(as: site.ana)
        let before = Date()
        let answer = try site.run("POST", "/tickets/\(n)/update", as: site.tech, fields: [("due_in_hours", "8")])
        let after = Date()
        #expect(answer.status == 303, "\(answer.body)")
        let json = try site.run("GET", "/tickets/\(n)", as: site.tech, json: true).json
        #expect(json["calendar"] as? String == "oficina")
        let due = try #require(Timestamp.parse(json["due_at"] as? String ?? ""))
        let soon = try #require(Timestamp.parse(json["due_soon_at"] as? String ?? ""))
        // Stored to the second: the instant 8 business hours after the request, whenever it ran.
        #expect(due >= office.adding(8 * 3600, to: before).addingTimeInterval(-1) && due <= office.adding(8 * 3600, to: after))
        #expect(soon == office.subtracting(SLAPolicy().dueSoon, from: due))
        let page = try site.run("GET", "/tickets/\(n)", as: site.tech).body
        #expect(page.contains("data-due-soon=\"\(Timestamp.iso(soon))\""))
        #expect(page.contains("</time> (8 h hábiles)</dd>") && page.contains("Plazo dado: — → 8 h hábiles"), "\(page)")
        let refused = try site.run("POST", "/tickets/\(n)/update", as: site.tech, fields: [("due_in_hours", "ocho horas")])
        #expect(refused.status == 400)
        #expect(refused.body.contains("id=\"u-due-hours\" name=\"due_in_hours\" inputmode=\"decimal\" value=\"ocho horas\""))
        #expect(try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)") == Timestamp.iso(due))
    }

    /// Issue 33, the sending half: with `[mail] reply_to`, each person's notification is a mail
    /// of its own whose `Reply-To` is signed for them and says that answering adds a comment;
    /// the support team's copy stays no-reply.
    @Test func withReplyToEachPersonGetsASignedReplyAddress() throws {
        let site = try GatewaySite.make()
        try site.configure(["mail.reply_to": .string("soporte@example.mx")])
        let n = try site.openTicket(as: site.ana)
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "¿Nos manda el XML?")]).status == 303)
        let mails = site.sentMail()
        let toAna = try #require(mails.first { $0.headers.contains("To: ana@acme.mx\r\n") })
        let replyTo = try #require(toAna.headers.split(separator: "\r\n").first { $0.hasPrefix("Reply-To: ") }).dropFirst("Reply-To: ".count)
        #expect(replyTo.hasPrefix("soporte+t\(n)-p") && replyTo.hasSuffix("@example.mx"), "\(replyTo)")
        #expect(toAna.body.contains("responda este correo") && toAna.headers.contains("Auto-Submitted: auto-generated"), "\(toAna.body)")
        let team = try #require(mails.first { $0.headers.contains("To: soporte@localhost") })
        #expect(!team.headers.contains("Reply-To:") && team.body.contains("no lo responda"), "\(team.body)")
        #expect(mails.allSatisfy { !$0.headers.contains("To: ana@acme.mx,") })
    }

    @Test func aClientOpensATicketWithAFileAndEveryPartIsThere() throws {
        let site = try GatewaySite.make()
        let bytes = Array("<script>alert(1)</script>\n".utf8) + [0, 255, 1]
        let n = try site.openTicket(as: site.ana, files: [("file", "../../etc/informe <b>.html", bytes)])
        #expect(n == 1)
        // The row, the event, the attachment, the mail; the file by content hash.
        #expect(try site.sqlite("SELECT org, requester, responsible, status, waiting_on FROM tickets") == "Acme S.A.|ana|tech1|open|support")
        #expect(try site.sqlite("SELECT name, size FROM attachments") == "informe <b>.html|\(bytes.count)")
        let files = site.files(in: "var/attachments")
        #expect(files.count == 1 && files[0].count == 64)
        // The page, as the client sees it: the client's forms, not the staff's; the token filled in.
        let page = try site.run("GET", "/tickets/1", as: site.ana)
        #expect(page.status == 200)
        #expect(page.header("Cache-Control") == "no-store")
        #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(page.body.contains("No timbra la nómina"))
        #expect(page.body.contains("/tickets/1/comments") && !page.body.contains("/tickets/1/close"))
        #expect(page.body.contains("value=\"\(site.ana.csrf)\""))
        #expect(page.body.contains("informe &lt;b&gt;.html"))
        #expect(page.body.contains("<h2>Archivos</h2>"))
        let staffPage = try site.run("GET", "/tickets/1", as: site.tech)
        #expect(staffPage.body.contains("/tickets/1/close") && !staffPage.body.contains("/tickets/1/reopen"))
        // The file: a download, never rendered.
        let file = try site.run("GET", "/tickets/1/files/1", as: site.ana)
        #expect(file.status == 200)
        #expect(file.header("Content-Type") == "application/octet-stream")
        #expect(file.header("Content-Disposition")?.hasPrefix("attachment; filename=\"informe _b_.html\"") == true)
        #expect(file.header("X-Content-Type-Options") == "nosniff")
        #expect(file.header("Cache-Control") == "no-store")
        #expect(file.body.hasPrefix("<script>alert(1)</script>"))
        // The mail: to the support team and the responsible tech, automatic, threaded.
        let mails = site.files(in: "var/mail/sent")
        #expect(mails.count == 1)
        let mail = site.read("var/mail/sent/\(mails[0])")
        #expect(mail.contains("To: soporte@localhost,\r\n tech1@soporte.mx"))
        #expect(mail.contains("Auto-Submitted: auto-generated"))
        #expect(mail.contains("Message-ID: <belenus.t1."))
        #expect(mail.contains("http://127.0.0.1:8080/cgi-bin/belenus/tickets/1"))
        // JSON.
        let json = try site.run("GET", "/tickets/1", as: site.ana, json: true).json
        #expect(json["number"] as? Int == 1 && json["status"] as? String == "open" && json["sla"] as? String == "on_time")
        #expect((json["events"] as? [Any])?.count == 1 && (json["attachments"] as? [Any])?.count == 1)
    }

    @Test func theTechnicianListsPreselectWhoIsInChargeAndEscapeNames() throws {
        let site = try GatewaySite.make()
        #expect(try CLI.run(["user", "add", "tech2", "--name", "Téc <b>Dos</b>", "--email", "t2@soporte.mx", "--role", "tech", "--site", site.root],
                            stdin: "clave-de-tech-2").status == 0)
        let n = try site.openTicket(as: site.ana)
        func select(_ id: String) throws -> String {
            let page = try site.run("GET", "/tickets/\(n)", as: site.tech).body
            return page.firstMatch(of: try Regex("<select id=\"\(id)\"[^>]*>(.*?)</select>"))?.output[1].substring.map(String.init) ?? ""
        }
        #expect(try select("u-resp").contains("<option value=\"tech1\" selected>Téc Uno</option>"))
        #expect(try !select("a-tech").contains("selected"), "nobody assigned yet")
        #expect(try select("a-tech").contains("<option value=\"tech2\">Téc &lt;b&gt;Dos&lt;/b&gt;</option>"))
        #expect(try site.run("POST", "/tickets/\(n)/assign", as: site.tech, fields: [("assigned", "tech2")]).status == 303)
        #expect(try select("a-tech").contains("<option value=\"tech2\" selected>"))
        #expect(try select("a-tech").components(separatedBy: "selected").count == 2, "one option selected")
        #expect(try select("u-resp").contains("<option value=\"tech1\" selected>"))
    }

    @Test func theWholeLifeOfATicket() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        func post(_ action: String, as who: CGI.Login, _ fields: [(String, String)] = []) throws -> Int {
            try site.run("POST", "/tickets/\(n)/\(action)", as: who, fields: fields).status
        }
        func state() throws -> String { try site.sqlite("SELECT status || ',' || waiting_on FROM tickets WHERE number = \(n)") }
        #expect(try post("comments", as: site.tech, [("body", "¿Qué versión del PAC?")]) == 303)
        #expect(try state() == "open,client")
        #expect(try post("comments", as: site.ana, [("body", "La 4.0")]) == 303)
        #expect(try state() == "open,support")
        #expect(try post("approve", as: site.ana) == 409)            // VoBo only from closed
        #expect(try post("close", as: site.ana, [("body", "yo")]) == 403)  // a client does not close
        #expect(try post("close", as: site.tech, [("body", "Actualice el certificado.")]) == 303)
        #expect(try state() == "closed,client")
        #expect(try post("close", as: site.tech, [("body", "otra vez")]) == 409)
        #expect(try post("reopen", as: site.ana, [("body", "Sigue fallando")]) == 303)
        #expect(try state() == "open,support")
        #expect(try post("assign", as: site.tech, [("assigned", "admin1")]) == 303)
        #expect(try post("assign", as: site.tech, [("assigned", "ana")]) == 400)
        #expect(try post("update", as: site.tech, [("waiting_on", "provider"), ("provider_ref", "PAC-123"), ("due_at", "2030-01-01T10:00:00Z")]) == 303)
        #expect(try site.sqlite("SELECT assigned, provider_ref, waiting_on FROM tickets") == "admin1|PAC-123|provider")
        #expect(try post("update", as: site.tech, [("waiting_on", "nobody")]) == 400)
        #expect(try post("close", as: site.tech, [("body", "Corregido por el PAC.")]) == 303)
        #expect(try post("approve", as: site.ana) == 303)
        #expect(try state() == "approved,client")
        for (action, who) in [("comments", site.ana), ("reopen", site.ana), ("approve", site.ana), ("assign", site.tech), ("update", site.tech)] {
            #expect(try post(action, as: who, [("body", "x"), ("assigned", "tech1"), ("waiting_on", "support")]) == 409, "\(action)")
        }
        // Every step is in the history, on the page, and was mailed to the other side.
        let events = try site.sqlite("SELECT group_concat(kind) FROM (SELECT kind FROM events ORDER BY id)")
        #expect(events == "created,comment,comment,close,reopen,assign,update,close,approve")
        let page = try site.run("GET", "/tickets/\(n)", as: site.ana).body
        #expect(page.contains("Sigue fallando") && page.contains("PAC-123") && page.contains("Cerrado con VoBo del cliente"))
        #expect(page.contains("<ul class=\"changes\"><li>") && page.contains("<li>No. Proveedor: — → PAC-123</li></ul>"))
        // Words, never codes (SPEC §6): the waiting party by its label, the technician by name,
        // the deadline as a date; in the mail of the change too.
        #expect(page.contains("<li>Esperando respuesta de: Soporte Técnico → Proveedor</li>"), "\(page)")
        #expect(page.contains("<li>Técnico Asignado: — → Admin Uno</li>"))
        #expect(page.contains(" → 1 ene 2030, 10:00 UTC</li>"))
        for code in ["support", "provider", "admin1", "2030-01-01T10:00:00Z →", "→ 2030-01-01"] { #expect(!page.contains(": \(code)") && !page.contains("→ \(code)"), "\(code)") }
        let updateMail = site.read("var/mail/sent/" + site.files(in: "var/mail/sent")[6])
        #expect(updateMail.contains("Proveedor") && !updateMail.contains("provider") && !updateMail.contains("2030-01-01T"), "\(updateMail)")
        #expect(try site.count("outbox") == 9)
        #expect(site.files(in: "var/mail/sent").count == 9)
        // A tech's comment went to the requester only; a client's to the responsible tech.
        #expect(try site.sqlite("SELECT recipients FROM outbox WHERE id = 2") == "[\"ana@acme.mx\"]")
        #expect(try site.sqlite("SELECT recipients FROM outbox WHERE id = 3") == "[\"tech1@soporte.mx\"]")
        // The lists show it.
        let list = try site.run("GET", "/tickets", as: site.tech, query: "status=approved", json: true).json
        #expect(list["total"] as? Int == 1 && list["total_exact"] as? Bool == true)
    }

    @Test func aTechPublishesAnApprovedTicketToTheKnowledgeBaseWithoutNamingTheClient() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana, title: "Error CFDI40102 al timbrar")
        _ = try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "Renovar el sello digital.")])
        #expect(try site.run("POST", "/tickets/\(n)/publish", as: site.tech, fields: [("title", "x"), ("body", "y")]).status == 409)
        _ = try site.run("POST", "/tickets/\(n)/approve", as: site.ana, fields: [])
        let page = try site.run("GET", "/tickets/\(n)", as: site.tech).body
        #expect(page.contains("/tickets/\(n)/publish") && page.contains("Renovar el sello digital."))
        let naming = try site.run("POST", "/tickets/\(n)/publish", as: site.tech, fields: [("title", "Error CFDI40102"), ("body", "Le pasó a Ana Perez de ACME S.A.")])
        #expect(naming.status == 400)
        #expect(naming.body.contains("Le pasó a Ana Perez de ACME S.A.</textarea>"))  // the form keeps what was typed
        #expect(naming.body.contains("value=\"Error CFDI40102\"") && naming.body.contains("role=\"alert\""))
        #expect(site.files(in: "var/kb").isEmpty)
        #expect(try site.run("POST", "/tickets/\(n)/publish", as: site.ana, fields: [("title", "a"), ("body", "b")]).status == 403)
        let published = try site.run("POST", "/tickets/\(n)/publish", as: site.tech,
                                     fields: [("title", "Error CFDI40102 al timbrar"), ("body", "## Solución\n\nRenovar el sello digital.")])
        #expect(published.status == 303)
        #expect(published.location == "/kb/error-cfdi40102-al-timbrar/")
        let article = site.read("var/kb/error-cfdi40102-al-timbrar.md")
        #expect(article.contains("source_ticket: \(n)") && !article.contains("Acme"))
        #expect(site.read("output/public/kb/error-cfdi40102-al-timbrar/index.html").contains("Renovar el sello digital."))
        #expect(site.read("output/public/kb/feed.xml").contains("Error CFDI40102 al timbrar"))
        let search = try site.run("GET", "/kb/search", query: "q=sello", json: true).json
        #expect((search["results"] as? [[String: Any]])?.first?["slug"] as? String == "error-cfdi40102-al-timbrar")
    }

    @Test func anotherCompanysTicketIsNotFoundAnywhere() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana, files: [("file", "a.txt", Array("secreto".utf8))])
        #expect(try site.run("GET", "/tickets/\(n)", as: site.bob).status == 404)
        #expect(try site.run("GET", "/tickets/\(n)", as: site.bob, json: true).status == 404)
        #expect(try site.run("GET", "/tickets/\(n)/files/1", as: site.bob).status == 404)
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.bob, fields: [("body", "hola")]).status == 404)
        #expect(try site.run("POST", "/tickets/\(n)/approve", as: site.bob, fields: []).status == 404)
        #expect(try site.run("GET", "/go", as: site.bob, query: "number=\(n)").status == 404)
        #expect(try site.run("GET", "/go", as: site.ana, query: "number=\(n)").location == "/cgi-bin/belenus/tickets/\(n)")
        let list = try site.run("GET", "/tickets", as: site.bob, query: "org=Acme%20S.A.", json: true).json
        #expect(list["total"] as? Int == 0)
        #expect(try site.count("events") == 1)
        // A client cannot open a ticket for another company either.
        _ = try site.run("POST", "/tickets", as: site.bob, multipart: [("title", "t"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b"), ("org", "Acme S.A.")])
        #expect(try site.sqlite("SELECT org FROM tickets WHERE number = 2") == "Beta SA")
    }

    @Test func staffOpenOnBehalfOfACompanyAndMustNameIt() throws {
        let site = try GatewaySite.make()
        let missing = try site.run("POST", "/tickets", as: site.tech, multipart: [("title", "t"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b")])
        #expect(missing.status == 400 && missing.body.contains("«Cliente»"))
        #expect(try site.run("GET", "/tickets/new", as: site.tech).body.contains("<option value=\"Beta SA\">Beta SA</option>"))
        #expect(!(try site.run("GET", "/tickets/new", as: site.ana).body.contains("name=\"org\"")))
        #expect(try site.openTicket(as: site.tech, org: "Beta SA") == 1)
        #expect(try site.sqlite("SELECT org, requester FROM tickets") == "Beta SA|tech1")
    }

    @Test func listsFilterAndPaginate() throws {
        let site = try GatewaySite.make()
        for i in 1...3 { try site.openTicket(as: site.ana, title: "Ticket \(i) de nómina", product: i == 3 ? "Bancos" : "Nómina") }
        try site.openTicket(as: site.bob, title: "Otro")
        func total(_ query: String, as who: CGI.Login) throws -> Int? {
            try site.run("GET", "/tickets", as: who, query: query, json: true).json["total"] as? Int
        }
        #expect(try total("", as: site.tech) == 4)
        #expect(try total("", as: site.ana) == 3)
        #expect(try total("product=Bancos", as: site.tech) == 1)
        #expect(try total("q=nómina", as: site.tech) == 3)
        #expect(try total("org=Beta%20SA", as: site.tech) == 1)
        #expect(try total("sla=on_time&status=open&waiting_on=support&responsible=tech1&product=N%C3%B3mina", as: site.tech) == 3)
        #expect(try total("sla=overdue", as: site.tech) == 0)
        #expect(try total("number=2", as: site.tech) == 1)
        let first = try site.run("GET", "/tickets", as: site.tech, json: true).json
        let numbers = (first["tickets"] as? [[String: Any]])?.compactMap { $0["number"] as? Int }
        #expect(numbers == [4, 3, 2, 1])
        for bad in ["status=perdido", "sla=verde", "number=abc", "page=0", "waiting_on=nadie"] {
            let answer = try site.run("GET", "/tickets", as: site.tech, query: bad, json: true)
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.json["field"] as? String == String(bad.split(separator: "=")[0]))
        }
        let html = try site.run("GET", "/tickets", as: site.tech, query: "q=%3Cscript%3E")
        #expect(html.status == 200 && html.body.contains("&lt;script&gt;") && !html.body.contains("<script>"))
    }

    /// *Diagrama 2*: the manual's ten columns, people by name, words not codes; FILTRO as lists
    /// of names; values typed in a URL without case or accents; a number straight to its ticket.
    @Test func theListIsTheManualsDiagram2() throws {
        let site = try GatewaySite.make()
        try site.openTicket(as: site.ana, title: "La nómina no timbra")
        try site.openTicket(as: site.bob, title: "Bancos no concilia", product: "Bancos")
        _ = try site.run("POST", "/tickets/1/assign", as: site.tech, fields: [("assigned", "admin1")])
        let list = try site.run("GET", "/tickets", as: site.ana).body
        for header in ["No. Ticket", "Situación del ticket", "Estatus", "Esperando respuesta de", "VoBo del Cliente",
                       "Fecha y hora en que se levantó", "Técnico Asignado", "Quién le está dando soporte", "Quién registró", "Ver seguimiento"] {
            #expect(list.contains(">\(header)<"), "\(header)")
        }
        #expect(list.contains(">Téc Uno</td>") && list.contains(">Admin Uno</td>") && list.contains(">Ana Pérez · Acme S.A.</td>"))
        #expect(list.contains(">Soporte Técnico</td>") && list.contains("<a class=\"view\" href=\"/cgi-bin/belenus/tickets/1\">Ver seguimiento"))
        #expect(!list.contains(">tech1<") && !list.contains(">admin1<") && !list.contains(">ana<") && !list.contains(">support<"))
        #expect(!list.contains("Bancos no concilia"))  // another company's
        // FILTRO, under the manual's name: the client chooses among the people of their company;
        // technicians and products by name.
        #expect(list.contains("<h2 id=\"f-title\">FILTRO</h2>"))
        #expect(list.contains("1 ticket · página 1 de 1"))
        #expect(list.contains("<option value=\"ana\">Ana Pérez</option>") && !list.contains("Bob Beta"))
        #expect(list.contains("<option value=\"tech1\">Téc Uno</option>") && list.contains("<option value=\"Bancos\">Bancos</option>"))
        #expect(!list.contains("name=\"org\""))
        let staff = try site.run("GET", "/tickets", as: site.tech, query: "product=NOMINA&responsible=tec%20uno").body
        #expect(staff.contains("<option value=\"Beta SA\">Beta SA</option>"))
        #expect(staff.contains("<option value=\"Nómina\" selected>Nómina</option>") && staff.contains("<option value=\"tech1\" selected>Téc Uno</option>"))
        #expect(staff.contains("La nómina no timbra") && !staff.contains("Bancos no concilia"))
        func total(_ query: String, as who: CGI.Login) throws -> Int? {
            try site.run("GET", "/tickets", as: who, query: query, json: true).json["total"] as? Int
        }
        #expect(try total("product=nomina", as: site.tech) == 1)
        #expect(try total("org=beta%20sa", as: site.tech) == 1)
        #expect(try total("requester=ana", as: site.ana) == 1 && total("requester=Ana%20P%C3%A9rez", as: site.tech) == 1)
        #expect(try total("requester=bob", as: site.ana) == 0)  // not of their company: nothing, not Bob's tickets
        #expect(try total("assigned=ADMIN%20UNO", as: site.tech) == 1)
        // A number goes to the ticket; the header's box on every page does the same.
        let go = try site.run("GET", "/tickets", as: site.ana, query: "number=1")
        #expect(go.status == 303 && go.location == "/cgi-bin/belenus/go?number=1")
        #expect(list.contains("<form class=\"when-in go\" method=\"get\" action=\"/cgi-bin/belenus/go\""))
        // JSON carries the names too.
        let row = (try site.run("GET", "/tickets", as: site.ana, json: true).json["tickets"] as? [[String: Any]])?.first ?? [:]
        #expect(row["requester"] as? String == "ana" && row["requester_name"] as? String == "Ana Pérez")
        #expect(row["responsible_name"] as? String == "Téc Uno" && row["assigned_name"] as? String == "Admin Uno")
        #expect((row["created_at"] as? String)?.hasSuffix("Z") == true)
        let one = try site.run("GET", "/tickets/1", as: site.ana, json: true).json
        #expect(one["requester_name"] as? String == "Ana Pérez" && one["version"] as? String == "2025.1" && one["events"] is [Any])
    }

    /// `q` finds words in titles, bodies, comments and solutions, without case or accents,
    /// ranked, with where it found them in the row; a client still sees only their company's.
    @Test func wordsAreFoundInCommentsAndSolutionsToo() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana, title: "No timbra", body: "Falla al timbrar.")
        let other = try site.openTicket(as: site.ana, title: "La zanahoria de <b>prueba</b>", body: "Nada más.")
        let bobs = try site.openTicket(as: site.bob, title: "Zanahoria también", product: "Bancos")
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "Revise la zanahoria del certificado CSD.")]).status == 303)
        #expect(try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "Se renovó el sello digital.")]).status == 303)
        func numbers(_ q: String, as who: CGI.Login) throws -> [Int] {
            let json = try site.run("GET", "/tickets", as: who, query: "q=" + q, json: true).json
            return (json["tickets"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } ?? []
        }
        #expect(try numbers("certificado", as: site.tech) == [n])        // only in a technician's comment
        #expect(try numbers("SELLO%20digital", as: site.ana) == [n])     // in the solution, any case
        #expect(try Set(numbers("ZANAHOR%C3%8DA", as: site.tech)) == [n, other, bobs])  // without accents
        #expect(try Set(numbers("zanahoria", as: site.ana)) == [n, other])  // not another company's
        #expect(try numbers("zanahoria%20certificado", as: site.tech) == [n])  // every word, in one text
        #expect(try numbers("nadaquever", as: site.tech).isEmpty)
        let list = try site.run("GET", "/tickets", as: site.ana, query: "q=zanahoria").body
        #expect(list.contains("<p class=\"snippet\">") && list.contains("<mark>zanahoria</mark>"), "\(list)")
        #expect(list.contains("&lt;b&gt;prueba&lt;/b&gt;") && !list.contains("<b>prueba"))
    }

    @Test func routesAnswerTheirStatus() throws {
        let site = try GatewaySite.make()
        try site.openTicket(as: site.ana)
        #expect(try site.run("GET", "/tickets/1/close", as: site.tech).status == 405)
        #expect(try site.run("GET", "/tickets/1/close", as: site.tech).header("Allow") == "POST")
        #expect(try site.run("DELETE", "/tickets", as: site.tech).status == 405)
        #expect(try site.run("GET", "/nada", as: site.tech).status == 404)
        #expect(try site.run("GET", "/tickets/999", as: site.tech).status == 404)
        #expect(try site.run("GET", "/tickets/1/files/9", as: site.tech).status == 404)
        #expect(try site.run("POST", "/tickets/1/explode", as: site.tech, fields: []).status == 404)
        #expect(try site.run("GET", "/tickets/new", as: site.ana).body.contains("Nómina"))
        let json404 = try site.run("GET", "/tickets/999", as: site.tech, json: true)
        #expect(json404.json["error"] is String && json404.json.keys.contains("field"))
        // PATH_INFO empty, as some servers send it with an alias: the route comes from REQUEST_URI.
        let viaURI = try CGI.run(site: site.root, "GET", "", session: site.ana,
                                 extra: ["REQUEST_URI": "/cgi-bin/belenus/tickets/1?x=1", "HTTP_ACCEPT": "application/json"])
        #expect(viaURI.status == 200 && viaURI.json["number"] as? Int == 1)
    }

    @Test func kbSearchIsPublicRankedAndEscaped() throws {
        let site = try GatewaySite.make()
        try FileManager.default.createDirectory(atPath: site.root + "/content/kb", withIntermediateDirectories: true)
        try "---\ntitle: Timbrado de nómina\nproduct: Nómina\n---\nCómo timbrar la <b>nómina</b> sin errores.\n"
            .write(toFile: site.root + "/content/kb/timbrado.md", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let answer = try site.run("GET", "/kb/search", query: "q=nomina")
        #expect(answer.status == 200)
        #expect(answer.body.contains("href=\"/kb/timbrado/\""))
        #expect(answer.body.contains("<mark>nómina</mark>") || answer.body.contains("<mark>Nómina</mark>"))
        #expect(answer.body.contains("&lt;b&gt;") && !answer.body.contains("<b>"))
        let hostile = try site.run("GET", "/kb/search", query: "q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        #expect(hostile.status == 200 && !hostile.body.contains("<script>alert"))
    }
}

@Suite struct LinkModeTests {
    @Test func ticketPagesLiveAtSecretURLsThatRelinkRotates() throws {
        let site = try GatewaySite.make()
        try site.configure(["ticket_pages": .string("link")])
        let n = try site.openTicket(as: site.ana, title: "Página pública")
        let token = try site.sqlite("SELECT page_token FROM tickets WHERE number = \(n)")
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit))
        let page = site.read("output/public/t/\(token)/index.html")
        #expect(page.contains("Página pública"))
        #expect(page.contains("<meta name=\"robots\" content=\"noindex, nofollow\">") && page.contains("<meta name=\"referrer\" content=\"no-referrer\">"))
        #expect(page.contains("/tickets/\(n)/comments") && !page.contains("/tickets/\(n)/close") && !page.contains("belenus:staff"))
        // The mail links to the secret page.
        let mail = site.read("var/mail/sent/\(site.files(in: "var/mail/sent")[0])")
        #expect(mail.contains("http://127.0.0.1:8080/t/\(token)/"))
        // A comment updates the public page too.
        _ = try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "Respuesta del técnico")])
        #expect(site.read("output/public/t/\(token)/index.html").contains("Respuesta del técnico"))
        // Relink: a new URL, the old page gone, and a build does not bring it back.
        let relink = try CLI.run(["ticket", "relink", String(n), "--site", site.root])
        #expect(relink.status == 0, "\(relink.stderr)")
        let fresh = try site.sqlite("SELECT page_token FROM tickets WHERE number = \(n)")
        #expect(fresh != token && relink.stdout.contains("/t/\(fresh)/"))
        #expect(!FileManager.default.fileExists(atPath: site.root + "/output/public/t/\(token)"))
        #expect(site.read("output/public/t/\(fresh)/index.html").contains("Respuesta del técnico"))
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: site.root + "/output/public/t/\(token)"))
        #expect(site.files(in: "output/public/t") == [fresh])
    }

    @Test func relinkRefusesInLoginMode() throws {
        let site = try GatewaySite.make()
        try site.openTicket(as: site.ana)
        let run = try CLI.run(["ticket", "relink", "1", "--site", site.root])
        #expect(run.status != 0 && run.stderr.contains("ticket_pages"))
        #expect(site.files(in: "output/public/t").isEmpty)
    }
}
