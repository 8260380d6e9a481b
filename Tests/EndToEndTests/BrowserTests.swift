import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

/// A real Chromium (headless, driven by Selenium) through lighttpd. Tests/Browser/journey.py
/// clicks through the KB search, a new ticket with a file, the SLA badge turning red in the page,
/// a comment from the ticket's link-mode page (its CSRF fields filled by the page script), the
/// technician's answer and close, the dashboard, and the client's VoBo; administration.py, an
/// administrator's day (issue 31). Both check `lang`, labels, WCAG AA contrast and axe-core on
/// the pages they show and log in with the keyboard only; the screenshots of the main pages at
/// desktop and phone width go to .build/test-artifacts/screenshots/ and are attached to the test
/// (`make test` writes attachments to .build/test-artifacts/attachments/).
@Suite struct BrowserTests {
    static let shots = CLI.repoRoot + "/.build/test-artifacts/screenshots"

    /// Runs `script` (in Tests/Browser) with the site's address, the screenshots' folder and
    /// `arguments`; prints its output, and says whether it ended well. Chromium and chromedriver
    /// get a temporary folder of the test's own, removed after it: each Chromium left its
    /// singleton socket's folder in /tmp (`org.chromium.Chromium.*`), five a run.
    static func journey(_ script: String, port: Int, _ arguments: [String]) throws -> (ok: Bool, text: String) {
        let temporary = Scratch.path("cr")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.repoRoot + "/Tests/Browser/" + script, "http://127.0.0.1:\(port)", shots] + arguments
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print("\(script) (screenshots in \(shots)):\n" + text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n"))
        return (p.terminationStatus == 0, text)
    }

    @Test func aClientAndATechnicianUseTheSiteInChromium() throws {
        let site = try GatewaySite.make()
        let sampleKB = CLI.repoRoot + "/content/kb"
        for file in try FileManager.default.contentsOfDirectory(atPath: sampleKB) where file.hasSuffix(".md") {
            try FileManager.default.copyItem(atPath: sampleKB + "/" + file, toPath: site.root + "/content/kb/" + file)
        }
        // Its people are in Mexico, as the manual's are: every date they read is local. Link mode:
        // the journey also comments from a ticket's static page, whose forms the script completes.
        try site.configure(["timezone": .string("America/Mexico_City"), "ticket_pages": .string("link")])
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let web = try WebServer("lighttpd", site: site.root)
        defer { web.stop() }
        let run = try Self.journey("journey.py", port: web.client.port,
                                   [GatewaySite.passwords["ana"]!, GatewaySite.passwords["tech1"]!, site.root + "/var/belenus.sqlite3"])
        #expect(run.ok, "\(run.text)")
        #expect(run.text.contains("journey complete"))
        for page in ["home", "kb-article", "new-ticket", "ticket-list", "ticket-client", "ticket-tech", "dashboard", "ticket-list-vobo"] {
            for width in ["desktop", "phone"] {
                let name = "\(page)-\(width).png"
                let png = FileManager.default.contents(atPath: "\(Self.shots)/\(name)").map { Array($0) } ?? []
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
                // Attached to the test's output (`swift test --attachments-path`, as `make test` runs it).
                Attachment.record(png, named: name)
            }
        }
    }

    /// Issue 31: invite, set a password from the mail, disable a client and a technician (their
    /// tickets to a colleague), a forgotten password from the mail; the pages audited at desktop
    /// and phone width; the list's first ticket on a phone's first screen.
    @Test func anAdministratorManagesPeopleInChromium() throws {
        let site = try GatewaySite.make()
        #expect(try CLI.run(["user", "add", "tech2", "--name", "Téc Dos", "--email", "tech2@soporte.mx", "--role", "tech", "--site", site.root],
                            stdin: "clave-de-tech-2\n").status == 0)
        try site.openTicket(as: site.ana)
        try site.openTicket(as: site.bob, product: "Bancos")
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let web = try WebServer("lighttpd", site: site.root)
        defer { web.stop() }
        let run = try Self.journey("administration.py", port: web.client.port,
                                   [GatewaySite.passwords["admin1"]!, GatewaySite.passwords["bob"]!, site.root])
        #expect(run.ok, "\(run.text)")
        #expect(run.text.contains("administration complete"))
    }
}
