import BelenusTestSupport
import Foundation
import Testing

/// The gateway and `belenus build` killed (SIGKILL: no cleanup runs) at the points named by
/// `BELENUS_CRASH_AT` (`CrashPoint`): the database stays consistent, the change is all there or
/// not at all, no page is ever half written, and the next `belenus build` brings every page up
/// to date.
@Suite struct CrashTests {
    /// Every file under `output/` that a web server might serve and that is not a whole page.
    static func tornPages(_ site: GatewaySite) -> [String] {
        let output = site.root + "/output"
        var torn: [String] = []
        let walk = FileManager.default.enumerator(atPath: output)
        while let path = walk?.nextObject() as? String {
            if path == ".tmp" { walk?.skipDescendants(); continue }
            guard path.hasSuffix(".html") else { continue }
            let text = String(decoding: FileManager.default.contents(atPath: "\(output)/\(path)") ?? Data(), as: UTF8.self)
            if !CGI.isWholePage(text) { torn.append(path) }
        }
        return torn
    }

    static func leftovers(_ site: GatewaySite) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: site.root + "/output/.tmp")) ?? []
    }

    @Test(arguments: [
        ("store.before-commit", false),
        ("gateway.before-regeneration", true),
        ("site.page-before-rename", true),
        ("site.page-written", true),
    ])
    func aCommentKilledMidwayIsAllThereOrAbsentAndTheNextBuildCatchesUp(_ point: String, _ committed: Bool) throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        let before = try site.sqlite("SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM outbox), (SELECT revision FROM tickets)")

        let comment = "Comentario que llega al morir el proceso"
        let ended = try CGI.execute(site: site.root, "POST", "/tickets/\(n)/comments",
                                    body: CGI.urlencoded([("csrf", site.tech.csrf), ("body", comment)]),
                                    contentType: "application/x-www-form-urlencoded", session: site.tech, extra: ["BELENUS_CRASH_AT": point])
        #expect(ended.signal == SIGKILL, "the gateway was not killed at \(point): \(ended.stderr)")
        #expect(ended.stdout.isEmpty)

        // The database opens, recovers its WAL and is whole; the comment, its event, the ticket's
        // revision and its mail are there together, or none of them.
        #expect(try site.sqlite("PRAGMA integrity_check") == "ok")
        let after = try site.sqlite("SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM outbox), (SELECT revision FROM tickets)")
        let counts = before.split(separator: "|").compactMap { Int($0) }
        let expected = committed ? "\(counts[0] + 1)|\(counts[1] + 1)|\(counts[2] + 1)" : before
        #expect(after == expected, "before \(before), after \(after)")
        #expect(try site.sqlite("SELECT COUNT(*) FROM events WHERE body = '\(comment)'") == (committed ? "1" : "0"))
        // Readers never saw half a page, killed writer or not.
        #expect(Self.tornPages(site).isEmpty, "\(Self.tornPages(site))")
        // The page whole in its temporary file; or in place, the page it replaced kept aside
        // (a link in `.tmp`) to be freed after the answer, not under the build lock.
        if point == "site.page-before-rename" || point == "site.page-written" { #expect(Self.leftovers(site).count == 1, "\(Self.leftovers(site))") }

        let build = try CLI.run(["build", "--site", site.root])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(Self.leftovers(site).isEmpty)
        let page = site.read("output/private/tickets/\(n)/index.html")
        #expect(page.contains(comment) == committed)
        #expect(try CLI.run(["build", "--site", site.root]).stdout.hasPrefix("Nothing changed"))
        // And the gateway goes on.
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", "Sigue sin timbrar")]).status == 303)
        #expect(site.read("output/private/tickets/\(n)/index.html").contains("Sigue sin timbrar"))
        #expect(Self.leftovers(site).isEmpty, "what a whole request puts aside it removes: \(Self.leftovers(site))")
    }

    /// A request's mail is queued already claimed by it (`Store.mailLease`), so that it needs no
    /// write to claim it after its answer. Killed after its commit, its message is left alone by
    /// `belenus mail deliver` until the lease is over, and then sent once.
    @Test func aRequestKilledBeforeItsMailLeavesItToMailDeliverAfterItsLease() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let sent = site.files(in: "var/mail/sent").count
        let ended = try CGI.execute(site: site.root, "POST", "/tickets/\(n)/comments",
                                    body: CGI.urlencoded([("csrf", site.tech.csrf), ("body", "Revisado")]),
                                    contentType: "application/x-www-form-urlencoded", session: site.tech,
                                    extra: ["BELENUS_CRASH_AT": "gateway.before-regeneration"])
        #expect(ended.signal == SIGKILL)
        let lease = "SELECT CAST(round((julianday(next_attempt_at) - julianday(created_at)) * 86400) AS INTEGER) FROM outbox WHERE sent_at IS NULL"
        #expect(try site.sqlite(lease) == "600")
        #expect(try CLI.run(["mail", "deliver", "--site", site.root]).stdout.contains("0 sent"))
        // The lease is over.
        _ = try site.sqlite("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE sent_at IS NULL")
        #expect(try CLI.run(["mail", "deliver", "--site", site.root]).stdout.contains("1 sent"))
        #expect(site.files(in: "var/mail/sent").count == sent + 1)
        #expect(try site.sqlite("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == "0")
    }

    @Test func aNewTicketKilledBeforeItsCommitLeavesNoTicketAndNoPage() throws {
        let site = try GatewaySite.make()
        let ended = try CGI.execute(
            site: site.root, "POST", "/tickets",
            body: CGI.multipart([("csrf", site.ana.csrf), ("title", "Muere antes"), ("product", "Nómina"), ("version", "2025.1"), ("body", "b")],
                                files: [("file", "registro.txt", Array("línea\n".utf8))]),
            contentType: CGI.multipartType, session: site.ana, extra: ["BELENUS_CRASH_AT": "store.before-commit"])
        #expect(ended.signal == SIGKILL)
        #expect(try site.sqlite("SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM attachments), (SELECT COUNT(*) FROM outbox)") == "0|0|0")
        // Its file was stored before the commit that never came: no row names it, the build removes it.
        #expect(site.files(in: "var/attachments").count == 1)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(site.files(in: "var/attachments").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: site.root + "/output/private/tickets/1/index.html"))
        // The next ticket is number 1: nothing of the dead one was kept.
        #expect(try site.openTicket(as: site.ana) == 1)
    }

    @Test(arguments: ["site.page-written:5", "site.page-before-rename:3"])
    func aBuildKilledMidwayIsFinishedByTheNextAndMatchesOneNeverKilled(_ point: String) throws {
        let site = try GatewaySite.make()
        for i in 1...4 { try site.openTicket(as: i % 2 == 0 ? site.ana : site.bob, title: "Ticket \(i)", product: i % 2 == 0 ? "Nómina" : "Bancos") }
        // Every page to be written again, by a build killed on the way and by one that is not.
        try FileManager.default.removeItem(atPath: site.root + "/output")
        let twin = try GatewaySite.copy(of: site)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binDir + "/belenus")
        process.arguments = ["build", "--site", site.root]
        process.environment = ["BELENUS_CRASH_AT": point, "BELENUS_HOME": CLI.repoRoot, "PATH": "/usr/bin:/bin"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        #expect(Self.tornPages(site).isEmpty)

        for root in [site.root, twin.root] {
            let build = try CLI.run(["build", "--site", root])
            #expect(build.status == 0, "\(build.stderr)")
        }
        #expect(Self.leftovers(site).isEmpty)
        let repaired = try FileTree.files(under: site.root + "/output"), clean = try FileTree.files(under: twin.root + "/output")
        #expect(repaired.count > 10)
        #expect(Set(repaired.keys) == Set(clean.keys))
        for (path, bytes) in clean where repaired[path] != bytes { Issue.record("\(path) differs from the build never killed") }
        #expect(try CLI.run(["build", "--site", site.root]).stdout.hasPrefix("Nothing changed"))
    }

    @Test func theBuildRemovesNoFileWhileARequestIsStoringFiles() throws {
        let site = try GatewaySite.make()
        let kept = try site.openTicket(as: site.ana, files: [("file", "registro.txt", Array("nombrado".utf8))])
        let orphan = site.root + "/var/attachments/" + String(repeating: "ab", count: 32)
        try Data("de nadie".utf8).write(to: URL(fileURLWithPath: orphan))
        // A request between storing its files and its commit holds the folder's lock shared.
        let lock = open(site.root + "/var/attachments/.lock", O_RDWR | O_CREAT, 0o640)
        #expect(lock >= 0 && flock(lock, LOCK_SH) == 0)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(FileManager.default.fileExists(atPath: orphan))
        close(lock)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        // What a row names stays, and still downloads.
        #expect(site.files(in: "var/attachments").count == 1)
        #expect(try site.run("GET", "/tickets/\(kept)/files/1", as: site.ana).body == "nombrado")
    }
}
