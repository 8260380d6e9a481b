import BelenusFiles
import BelenusTestSupport
import Foundation
import Testing

/// What no test checked before issue 30: the list's second page and its provider filter, the
/// `Secure` cookie, the CLI's password rules, `robots.txt` and `sitemap.xml`, `var/kb` in a backup.
@Suite struct UncoveredBehaviourTests {
    /// 50 a page, newest first: page 2 holds what page 1 left, and the total counts both.
    @Test func theListsSecondPageHoldsTheOlderTickets() throws {
        let site = try GatewaySite.make()
        for i in 1...52 { try site.openTicket(as: site.ana, title: "Ticket \(i)") }
        let first = try site.run("GET", "/tickets", as: site.tech, query: "page=1", json: true).json
        let second = try site.run("GET", "/tickets", as: site.tech, query: "page=2", json: true).json
        let numbers = { (page: [String: Any]) in ((page["tickets"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? Int } }
        #expect(first["total"] as? Int == 52 && second["total"] as? Int == 52 && second["page"] as? Int == 2)
        #expect(numbers(first) == Array((3...52).reversed()) && numbers(second) == [2, 1])
        let html = try site.run("GET", "/tickets", as: site.tech, query: "page=2").body
        #expect(html.contains("/tickets/2\"") && html.contains("/tickets/1\"") && !html.contains("/tickets/3\""))
    }

    @Test func theListFiltersByTheProvidersNumber() throws {
        let site = try GatewaySite.make()
        let (a, b) = (try site.openTicket(as: site.ana), try site.openTicket(as: site.ana))
        #expect(try site.run("POST", "/tickets/\(a)/update", as: site.tech, fields: [("provider_ref", "PAC-7781")]).status == 303)
        #expect(try site.run("POST", "/tickets/\(b)/update", as: site.tech, fields: [("provider_ref", "PAC-1200")]).status == 303)
        let list = try site.run("GET", "/tickets", as: site.tech, query: "provider_ref=PAC-7781", json: true).json
        #expect(((list["tickets"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? Int } == [a])
    }

    /// SPEC §5: `Secure` with `cookie_secure = true`, on both cookies; without it, on neither.
    @Test func cookiesAreSecureWhenTheSiteSaysSo() throws {
        let site = try GatewaySite.make()
        try site.configure(["security.cookie_secure": .bool(true)])
        let answer = try site.run("POST", "/login", fields: [("login", "ana"), ("password", GatewaySite.passwords["ana"]!)])
        #expect(answer.status == 303 && answer.cookies.count == 2)
        #expect(answer.cookies.allSatisfy { $0.contains("; Secure") }, "\(answer.cookies)")
    }

    /// SPEC §2: at least 8 characters; a new password works at once and the old one no longer.
    @Test func theCLISetsAPasswordOfEightCharactersOrMore() throws {
        let site = try GatewaySite.make()
        let short = try CLI.run(["user", "passwd", "ana", "--site", site.root], stdin: "1234567\n")
        #expect(short.status != 0 && short.stderr.contains("at least 8"), "\(short.stderr)")
        let set = try CLI.run(["user", "passwd", "ana", "--site", site.root], stdin: "ocho-car\n")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try site.run("POST", "/login", fields: [("login", "ana"), ("password", "ocho-car")]).status == 303)
        #expect(try site.run("POST", "/login", fields: [("login", "ana"), ("password", GatewaySite.passwords["ana"]!)]).status == 401)
    }

    /// The crawler's pages: the gateway and the secret ticket URLs are not for it; the sitemap
    /// lists the public pages and every published article, at the site's address.
    @Test func robotsAndTheSitemapNameWhatIsPublic() throws {
        let site = try GatewaySite.make()
        try "---\ntitle: Timbrado\n---\nTexto.\n".write(toFile: site.root + "/content/kb/timbrado.md", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(site.read("output/public/robots.txt") == """
            User-agent: *
            Disallow: /cgi-bin/belenus/
            Disallow: /t/
            Sitemap: http://127.0.0.1:8080/sitemap.xml

            """)
        let sitemap = site.read("output/public/sitemap.xml")
        for path in ["/", "/kb/", "/kb/all/", "/kb/timbrado/"] {
            #expect(sitemap.contains("<loc>http://127.0.0.1:8080\(path)</loc>"), "\(path): \(sitemap)")
        }
        #expect(!sitemap.contains("/tickets") && !sitemap.contains("/t/"))
    }

    /// A published article lives in `var/kb/`: a backup carries it and a restored site shows it.
    @Test func aBackupCarriesThePublishedArticles() throws {
        let site = try GatewaySite.make()
        let n = try site.approvedTicket()
        #expect(try site.run("POST", "/tickets/\(n)/publish", as: site.tech, fields: [("title", "Sello vencido"), ("body", "Renovar.")]).status == 303)
        let folder = try TemporaryFolder("belenus-kb-backup")
        let file = folder.file("site.tar.gz")
        let backup = try CLI.run(["backup", file, "--site", site.root])
        #expect(backup.status == 0, "\(backup.stderr)")
        let restored = folder.file("restored")
        let restore = try CLI.run(["restore", file, "--site", restored])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(FileManager.default.fileExists(atPath: restored + "/var/kb/sello-vencido.md"))
        #expect(try CLI.run(["build", "--site", restored]).status == 0)
        #expect(((try? String(contentsOfFile: restored + "/output/public/kb/sello-vencido/index.html", encoding: .utf8)) ?? "").contains("Renovar."))
    }
}
