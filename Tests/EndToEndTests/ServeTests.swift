import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

/// `belenus serve` and `belenus demo`: the preview server, through real HTTP (curl).
@Suite struct ServeTests {
    /// Starts `belenus serve` on a free port and waits until it answers.
    final class Server {
        let process = Process()
        let port: Int

        init(site: String) throws {
            port = try Ports.free()
            let marker = try ReadyMarker(in: site + "/output/public")
            process.executableURL = URL(fileURLWithPath: CLI.binDir + "/belenus")
            process.arguments = ["serve", "--site", site, "--port", String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                if let answer = try? curl([], path: "/" + marker.name), answer.status == 200, answer.body == marker.body { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
            throw CLIError("belenus serve did not answer on port \(port)")
        }

        deinit { process.terminate(); process.waitUntilExit() }

        /// curl against this server (see `HTTPClient`).
        func curl(_ arguments: [String], path: String) throws -> HTTPClient.Answer {
            try HTTPClient(port: port).curl(arguments, path: path)
        }
    }

    struct CLIError: Error { let text: String; init(_ text: String) { self.text = text } }

    /// `belenus doctor` asks the web server for the gateway's login page at `base_url` +
    /// `gateway_path`: the preview server answers it.
    @Test func doctorFindsTheGatewayWhereTheConfigSaysItIs() throws {
        let site = try CLI.newSite()
        #expect(try CLI.run(["build", "--site", site]).status == 0)
        let server = try Server(site: site)
        let config = site + "/belenus.toml"
        try ConfigFile.update(config, ["base_url": .string("http://127.0.0.1:\(server.port)")])
        let me = String(cString: getpwuid(getuid()).pointee.pw_name)
        let doctor = try CLI.run(["doctor", "--site", site, "--web-user", me])
        #expect(doctor.stdout.contains("ok    gateway: http://127.0.0.1:\(server.port)/cgi-bin/belenus/login answers"), "\(doctor.stdout)")
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
    }

    @Test func serveGivesPublicFilesAndTheGatewayAndNothingOfVarOrPrivate() throws {
        let site = try GatewaySite.make()
        let server = try Server(site: site.root)
        #expect(try server.curl([], path: "/kb/").status == 200)
        #expect(try server.curl([], path: "/assets/belenus.js").body.contains("belenus_csrf"))
        for path in ["/../var/belenus.sqlite3", "/%2e%2e/var/belenus.sqlite3", "/..%2fprivate/lists/staff/1.html", "/private/tickets/1/index.html"] {
            let answer = try server.curl([], path: path)
            #expect(answer.status >= 400, "\(path) answered \(answer.status)")
            #expect(!answer.body.contains("SQLite format"))
        }
        // A client's journey through HTTP: log in, open a ticket with a file, read it back.
        let jar = Scratch.path("jar")
        let login = try server.curl(["-c", jar, "-d", "login=ana&password=\(GatewaySite.passwords["ana"]!)"], path: "/cgi-bin/belenus/login")
        #expect(login.status == 303 && login.headers.contains("Location: /cgi-bin/belenus/tickets"))
        let cookies = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        let csrf = cookies.split(separator: "\n").first { $0.contains("belenus_csrf") }?.split(separator: "\t").last.map(String.init) ?? ""
        #expect(csrf.count == 64)
        let file = Scratch.path("adjunto", suffix: ".txt")
        try "contenido del adjunto".write(toFile: file, atomically: true, encoding: .utf8)
        let open = try server.curl(["-b", jar, "-F", "csrf=\(csrf)", "-F", "title=Por HTTP", "-F", "product=Nómina", "-F", "version=2025.1",
                                    "-F", "body=Abierto con curl", "-F", "file=@\(file)"], path: "/cgi-bin/belenus/tickets")
        #expect(open.status == 303 && open.headers.contains("Location: /cgi-bin/belenus/tickets/1"), "\(open.headers)\(open.body)")
        let page = try server.curl(["-b", jar], path: "/cgi-bin/belenus/tickets/1")
        #expect(page.status == 200 && page.body.contains("Abierto con curl") && page.headers.lowercased().contains("cache-control: no-store"))
        #expect(try server.curl(["-b", jar], path: "/cgi-bin/belenus/tickets/1/files/1").body == "contenido del adjunto")
        #expect(try server.curl([], path: "/cgi-bin/belenus/tickets/1/files/1").status == 303)  // not logged in: to /login
    }

    @Test func demoMakesASiteWithPeopleAndTicketsInEveryState() throws {
        let dir = Scratch.path("belenus-demo")
        let run = try CLI.run(["demo", "--dir", dir, "--no-serve", "--port", "18123"])
        #expect(run.status == 0, "\(run.stderr)")
        let logins = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.split(separator: " ") }
        #expect(logins.count == 6)
        func sqlite(_ sql: String) throws -> String { try GatewaySite.sqlite(root: dir, sql) }
        #expect(try sqlite("SELECT COUNT(*) FROM tickets") == "50")
        #expect(try sqlite("SELECT group_concat(DISTINCT status) FROM (SELECT status FROM tickets ORDER BY status)") == "approved,closed,open")
        #expect(FileManager.default.fileExists(atPath: dir + "/output/public/kb/index.html"))
        #expect(FileManager.default.fileExists(atPath: dir + "/output/private/tickets/50/index.html"))
        #expect(try String(contentsOfFile: dir + "/belenus.toml", encoding: .utf8).contains("http://127.0.0.1:18123"))
        // The logins file holds passwords: its owner's only.
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/var/demo-logins.txt")[.posixPermissions] as? Int
        #expect(mode == 0o600, "\(String(mode ?? 0, radix: 8))")
        // The printed password of the client logs in.
        let client = try #require(logins.first { $0.first == "cliente" })
        let answer = try CGI.run(site: dir, "POST", "/login", body: CGI.urlencoded([("login", "cliente"), ("password", String(client[1]))]),
                                 contentType: "application/x-www-form-urlencoded")
        #expect(answer.status == 303 && answer.cookie("belenus_session") != nil)
        // Run again: the same site is reused, not made twice.
        let again = try CLI.run(["demo", "--dir", dir, "--no-serve"])
        #expect(again.status == 0 && !again.stdout.contains("Making the demo site"))
        #expect(try sqlite("SELECT COUNT(*) FROM tickets") == "50")
    }
}

