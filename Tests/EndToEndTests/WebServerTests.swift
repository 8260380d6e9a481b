import BelenusTestSupport
import Foundation
import Testing

/// A client's whole journey through the web servers webmasters run (lighttpd and Apache from
/// Debian), configured with the files of docs/hosting/, on a loopback port.
@Suite(.serialized) struct WebServerTests {
    /// The gateway's Content-Security-Policy (Response.securityHeaders), which docs/hosting/ gives the static pages.
    static let policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

    @Test(arguments: ["lighttpd", "apache2", "nginx"])
    func aClientsWholeJourneyThroughTheServer(_ server: String) throws {
        let site = try GatewaySite.make()
        try "---\ntitle: Timbrado de nómina\nproduct: Nómina\n---\nCómo timbrar la nómina sin errores.\n"
            .write(toFile: site.root + "/content/kb/timbrado.md", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let web = try WebServer(server, site: site.root)
        defer { web.stop() }
        let http = web.client

        // Public pages and search, straight from output/public/ and through the gateway.
        #expect(try http.get("/").body.contains("Soporte en Línea"))
        #expect(try http.get("/kb/timbrado/").status == 200)
        // The icon every browser asks for, where it asks.
        let icon = try http.get("/favicon.ico")
        #expect(icon.status == 200 && icon.header("Content-Type")?.contains("icon") == true, "\(icon.headers)")
        let search = try http.get("/cgi-bin/belenus/kb/search?q=nomina")
        #expect(search.status == 200 && search.body.contains("/kb/timbrado/"))
        // Every answer carries the site's policy once: static pages from the server's configuration,
        // the gateway's from the gateway; a download keeps its sandbox.
        for path in ["/", "/kb/timbrado/", "/cgi-bin/belenus/kb/search?q=nomina"] {
            let answer = try http.get(path)
            #expect(answer.all("Content-Security-Policy") == [Self.policy], "\(path): \(answer.headers)")
            #expect(answer.all("X-Frame-Options") == ["DENY"] && answer.all("X-Content-Type-Options") == ["nosniff"], "\(path)")
            #expect(answer.all("Referrer-Policy") == ["same-origin"], "\(path)")
        }
        // A ticket page at a secret URL (ticket_pages = "link"): no Referer, no index, no cache
        // (SPEC §6: after `relink` no browser or proxy keeps a copy). Not the other pages.
        let secret = "output/public/t/0123456789abcdef0123456789abcdef"
        try FileManager.default.createDirectory(atPath: site.root + "/" + secret, withIntermediateDirectories: true)
        try "<!DOCTYPE html><title>t</title>".write(toFile: site.root + "/" + secret + "/index.html", atomically: true, encoding: .utf8)
        let linked = try http.get("/t/0123456789abcdef0123456789abcdef/")
        #expect(linked.status == 200 && linked.all("Cache-Control") == ["no-store"], "\(linked.headers)")
        #expect(linked.all("Referrer-Policy") == ["no-referrer"] && linked.all("X-Robots-Tag") == ["noindex, nofollow"], "\(linked.headers)")
        #expect(try http.get("/kb/timbrado/").all("Cache-Control").isEmpty)
        // Nothing outside the document root.
        for path in ["/../private/tickets/1/index.html", "/%2e%2e/var/belenus.sqlite3", "/var/belenus.sqlite3", "/private/lists/staff/1.html"] {
            #expect(try http.get(path).status >= 400, "\(path)")
        }

        // The client opens a ticket with a file and reads it back.
        let ana = try http.login("ana", GatewaySite.passwords["ana"]!)
        let file = Scratch.path("captura", suffix: ".txt")
        try "error en línea 42".write(toFile: file, atomically: true, encoding: .utf8)
        let open = try http.post("/cgi-bin/belenus/tickets", as: ana, form: [
            "title": "No timbra desde \(server)", "product": "Nómina", "version": "2025.1", "body": "Falla al timbrar.",
        ], file: file)
        #expect(open.status == 303 && open.header("Location") == "/cgi-bin/belenus/tickets/1", "\(open.headers)\(open.body)")
        let page = try http.get("/cgi-bin/belenus/tickets/1", as: ana)
        #expect(page.status == 200 && page.body.contains("No timbra desde \(server)") && page.body.contains("value=\"\(ana.csrf)\""))
        #expect(page.header("Cache-Control") == "no-store")
        let download = try http.get("/cgi-bin/belenus/tickets/1/files/1", as: ana)
        #expect(download.body == "error en línea 42" && download.header("Content-Disposition")?.hasPrefix("attachment;") == true)
        #expect(download.all("Content-Security-Policy") == ["default-src 'none'; sandbox"], "\(download.headers)")

        // The technician answers and closes; the client reopens; closed again; VoBo.
        let tech = try http.login("tech1", GatewaySite.passwords["tech1"]!)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/comments", as: tech, form: ["body": "¿Qué versión del PAC usa?"]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/close", as: tech, form: ["body": "Renueve el sello."]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/reopen", as: ana, form: ["body": "Sigue fallando."]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/close", as: tech, form: ["body": "Se corrigió en el PAC."]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/approve", as: ana, form: [:]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/reopen", as: ana, form: ["body": "otra vez"]).status == 409)
        let json = try http.get("/cgi-bin/belenus/tickets/1", as: ana, json: true)
        let ticket = (try? JSONSerialization.jsonObject(with: Data(json.body.utf8))) as? [String: Any] ?? [:]
        #expect(ticket["status"] as? String == "approved")
        #expect((ticket["events"] as? [Any])?.count == 6)
        #expect(try http.get("/cgi-bin/belenus/tickets/1", as: tech).body.contains("Cerrado con VoBo del cliente"))
        // Every change was mailed (file transport). The gateway hands mail over after the answer
        // has gone out, so the last ones may still be on their way: wait for them a little.
        var mails = 0
        for _ in 0..<100 {
            mails = site.files(in: "var/mail/sent").count
            if mails >= 6 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(mails == 6)
        // A forged POST through the server is refused too.
        let forged = try http.post("/cgi-bin/belenus/tickets/1/comments", as: ana, form: ["body": "x"], headers: ["Origin: https://evil.example"])
        #expect(forged.status == 403)
    }
}

extension WebServerTests {
    /// docs/hosting/htaccess, for layouts that force the whole site folder under Apache's
    /// document root: only output/public/ can be fetched.
    @Test func theHtaccessDeniesAllButThePublicPagesWhenTheWholeSiteIsServed() throws {
        let site = try GatewaySite.make()
        try site.openTicket(as: site.ana)
        try FileManager.default.copyItem(atPath: CLI.repoRoot + "/docs/hosting/htaccess", toPath: site.root + "/.htaccess")
        let web = try WebServer("apache2-whole-site", site: site.root, ready: "/output/public/")
        defer { web.stop() }
        #expect(try web.client.get("/output/public/kb/").status == 200)
        #expect(try web.client.get("/output/public/login/").body.contains("<form"))
        for path in ["/var/belenus.sqlite3", "/var/", "/belenus.toml", "/output/private/tickets/1/index.html", "/output/private/",
                     "/content/kb/", "/site-templates/layout.mustache", "//var/belenus.sqlite3", "/%76ar/belenus.sqlite3",
                     "/./var/belenus.sqlite3", "/output/./private/tickets/1/index.html", "/VAR/belenus.sqlite3"] {
            let answer = try web.client.get(path)
            #expect(answer.status == 403 || answer.status == 404, "\(path): \(answer.status)")
            #expect(!answer.body.contains("SQLite format") && !answer.body.contains("gateway_path"), "\(path)")
        }
    }
}
