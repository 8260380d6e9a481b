import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

/// A real Chromium (headless, driven by Selenium) through lighttpd: Tests/Browser/journey.py
/// clicks through the KB search, a new ticket with a file, the SLA badge turning red in the page,
/// a comment from the ticket's link-mode page (its CSRF fields filled by the page script), the
/// technician's answer and close, the dashboard, and the client's VoBo; it checks `lang`,
/// labels and WCAG AA contrast on every page it shows and logs in with the keyboard only; it saves screenshots of the main
/// pages at desktop and phone width under .build/test-artifacts/screenshots/ and attaches them to
/// the test (`make test` writes attachments to .build/test-artifacts/attachments/).
@Suite struct BrowserTests {
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
        let shots = CLI.repoRoot + "/.build/test-artifacts/screenshots"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.repoRoot + "/Tests/Browser/journey.py", "http://127.0.0.1:\(web.client.port)", shots,
                       GatewaySite.passwords["ana"]!, GatewaySite.passwords["tech1"]!, site.root + "/var/belenus.sqlite3"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print("Browser journey (screenshots in \(shots)):\n" + text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n"))
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("journey complete"))
        for page in ["home", "kb-article", "new-ticket", "ticket-list", "ticket-client", "ticket-tech", "dashboard", "ticket-list-vobo"] {
            for width in ["desktop", "phone"] {
                let name = "\(page)-\(width).png"
                let png = FileManager.default.contents(atPath: "\(shots)/\(name)").map { Array($0) } ?? []
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
                // Attached to the test's output (`swift test --attachments-path`, as `make test` runs it).
                Attachment.record(png, named: name)
            }
        }
    }
}
