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

/// lighttpd, Apache or nginx (with fcgiwrap), started in the foreground with
/// docs/hosting/<server>.conf.
final class WebServer {
    let process = Process()
    let client: HTTPClient
    let runDir: String

    /// - Parameters:
    ///   - ready: the URL path of the site's `output/public/`: the server is up when it answers a
    ///     file made there for this start (`ReadyMarker`), whatever else listens nearby.
    ///   - gateway: the gateway binary (the tests' build, or an installed one).
    ///   - examples: the folder of the hosting configurations (the checkout's, or an installed copy).
    init(_ name: String, site: String, ready: String = "/", gateway: String = CLI.binDir + "/belenus-gateway",
         examples: String = CLI.repoRoot + "/docs/hosting") throws {
        let port = try Ports.free()
        client = HTTPClient(port: port)
        runDir = Scratch.path("belenus-\(name)")
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let isRoot = getuid() == 0
        for file in name == "apache2-whole-site" ? ["apache2", name] : [name] {
            let template = try String(contentsOfFile: examples + "/\(file).conf", encoding: .utf8)
            let config = template.replacingOccurrences(of: "@PORT@", with: String(port)).replacingOccurrences(of: "@SITE@", with: site)
                .replacingOccurrences(of: "@RUN@", with: runDir).replacingOccurrences(of: "@GATEWAY_DIR@", with: (gateway as NSString).deletingLastPathComponent)
                .replacingOccurrences(of: "@GATEWAY@", with: gateway)
                .replacingOccurrences(of: "@USER@", with: isRoot ? "User www-data\nGroup www-data" : "")
                .replacingOccurrences(of: "@NGINX_USER@", with: isRoot ? "user www-data;" : "")
            try config.write(toFile: runDir + "/\(file).conf", atomically: true, encoding: .utf8)
        }
        let configPath = runDir + "/\(name).conf"
        if isRoot, name != "lighttpd" {
            // Apache will not serve as root, nor do nginx's workers run as root: their user owns the
            // site's writable folders, as the guide says.
            try Self.shell("/bin/chown", ["-R", "www-data:www-data", site, runDir])
        }
        // Started as a service manager would: with no signal blocked. A child of the test process
        // inherits its blocked signals, and a lighttpd that cannot see SIGCHLD or SIGTERM leaves
        // zombies and never stops; python3 clears the mask and execs the server.
        let server = switch name {
        case "lighttpd": ["/usr/sbin/lighttpd", "-D", "-f", configPath]
        case "nginx": ["/usr/sbin/nginx", "-e", runDir + "/error.log", "-p", runDir, "-c", configPath]
        default: ["/usr/sbin/apache2", "-DFOREGROUND", "-f", configPath]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        if name == "nginx" {
            // With fcgiwrap as the web server's user, as Debian's fcgiwrap.socket unit starts it.
            process.arguments = ["python3", CLI.repoRoot + "/Tests/Support/with_helper.py"] + (isRoot ? ["--helper-user", "www-data"] : [])
                + ["/usr/sbin/fcgiwrap", "-c", "4", "-s", "unix:\(runDir)/fcgiwrap.socket", "--"] + server
        } else {
            process.arguments = ["python3", "-c", Self.cleanExec + "; os.execv(sys.argv[1], sys.argv[1:])"] + server
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let marker = try ReadyMarker(in: site + "/output/public")
        try process.run()
        for _ in 0..<100 {
            if let answer = try? client.get(ready + marker.name), answer.status == 200, answer.body == marker.body { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: runDir + "/error.log", encoding: .utf8)) ?? ""
        stop()
        throw HTTPClient.Failure(text: "\(name) did not answer on port \(port): \(log)")
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Python that clears the signal mask and restores the default handlers the test process changed.
    static let cleanExec = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
        + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGPIPE, signal.SIGTERM, signal.SIGCHLD)]"

    static func shell(_ program: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
    }
}

/// curl against 127.0.0.1:port, with a cookie jar per person.
struct HTTPClient {
    let port: Int

    struct Failure: Error, CustomStringConvertible { let text: String; var description: String { text } }

    struct Answer {
        let status: Int
        let headers: String
        let body: String
        func header(_ name: String) -> String? { all(name).first }
        /// Every value of a header: a server's and the gateway's both, if both sent one.
        func all(_ name: String) -> [String] {
            headers.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// A logged-in person: their cookie jar and CSRF token.
    struct Person { let jar: String; let csrf: String }

    func curl(_ arguments: [String], path: String) throws -> Answer {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let headers = Scratch.path("h")
        p.arguments = ["-s", "--path-as-is", "-D", headers] + arguments + ["http://127.0.0.1:\(port)\(path)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let body = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let head = (try? String(contentsOfFile: headers, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: headers)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Answer(status: status, headers: head, body: String(decoding: body, as: UTF8.self))
    }

    func get(_ path: String, as person: Person? = nil, json: Bool = false) throws -> Answer {
        var args = person.map { ["-b", $0.jar] } ?? []
        if json { args += ["-H", "Accept: application/json"] }
        return try curl(args, path: path)
    }

    func login(_ login: String, _ password: String) throws -> Person {
        let jar = Scratch.path("jar")
        let answer = try curl(["-c", jar, "--data-urlencode", "login=\(login)", "--data-urlencode", "password=\(password)"], path: "/cgi-bin/belenus/login")
        let cookies = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        let csrf = cookies.split(separator: "\n").first { $0.contains("belenus_csrf") }?.split(separator: "\t").last.map(String.init) ?? ""
        guard answer.status == 303, csrf.count == 64 else { throw Failure(text: "login \(login): \(answer.status) \(answer.body)") }
        return Person(jar: jar, csrf: csrf)
    }

    /// A form as a browser sends it: multipart when there is a file, else urlencoded.
    func post(_ path: String, as person: Person, form: [String: String], file: String? = nil, headers: [String] = []) throws -> Answer {
        var args = ["-b", person.jar] + headers.flatMap { ["-H", $0] }
        let fields = [("csrf", person.csrf)] + form.sorted { $0.key < $1.key }
        if let file {
            args += fields.flatMap { ["--form-string", "\($0.0)=\($0.1)"] } + ["-F", "file=@\(file)"]
        } else {
            args += fields.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] }
            if fields.count == 1 { args += ["-X", "POST"] }
        }
        return try curl(args, path: path)
    }
}
