import BelenusTestSupport
import Foundation
import Testing

/// The technicians' dashboard: generated into output/private/, served by the gateway to staff
/// only, brought up to date when it is asked for.
@Suite struct DashboardTests {
    /// The numbers of the "by SLA state" table, by state.
    static func slaCounts(_ html: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        let pattern = /href="[^"]*\/tickets\?sla=(\w+)">.*?<\/a><\/th><td class="num">(\d+)<\/td>/
        for match in html.matches(of: pattern) { counts[String(match.1)] = Int(match.2) }
        return counts
    }

    /// The last row of the weekly data table: (opened, closed) this week.
    static func thisWeek(_ html: String) -> (Int, Int)? {
        let rows = html.matches(of: /<tr><th scope="row"><time datetime="[\d-]+">[^<]*<\/time><\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/)
        guard let last = rows.last, let opened = Int(last.1), let closed = Int(last.2) else { return nil }
        return (opened, closed)
    }

    @Test func staffSeeCountsThatFollowTheTickets() throws {
        let site = try GatewaySite.make()
        let first = try site.openTicket(as: site.ana)
        let second = try site.openTicket(as: site.ana, title: "Otro problema")
        let third = try site.openTicket(as: site.bob, title: "Conciliación", product: "Bancos")
        _ = try site.sqlite("UPDATE tickets SET due_at = '2020-01-01T00:00:00Z' WHERE number = \(first)")
        #expect(try site.run("POST", "/tickets/\(second)/update", as: site.tech, fields: [("waiting_on", "client")]).status == 303)

        let page = try site.run("GET", "/dashboard", as: site.tech)
        #expect(page.status == 200)
        #expect(page.header("Cache-Control")?.contains("no-store") == true)
        #expect(Self.slaCounts(page.body) == ["overdue": 1, "due_soon": 0, "on_time": 1, "paused": 1])
        #expect(page.body.contains("Tickets abiertos: <strong>3</strong>"))
        #expect(page.body.contains("<h2 id=\"d-product\">") && page.body.contains(">Nómina</a></th><td class=\"num\">2</td>"))
        #expect(page.body.contains(">Bancos</a></th><td class=\"num\">1</td>"))
        #expect(page.body.contains("<svg class=\"weekly\"") && page.body.contains("<rect class=\"fill-overdue\""))
        #expect(Self.thisWeek(page.body)! == (3, 0))
        #expect(!page.body.contains("<script>"), "inline SVG, no script")
        #expect(page.body.contains("name=\"csrf\" value=\"\(site.tech.csrf)\""), "the logout form carries the token")
        // Written by the generator where the web server does not serve it.
        #expect(site.read("output/private/dashboard/index.html").contains("Abiertos por técnico"))
        #expect(!FileManager.default.fileExists(atPath: site.root + "/output/public/dashboard"))

        // A change is on the dashboard the next time it is opened.
        #expect(try site.run("POST", "/tickets/\(third)/close", as: site.tech, fields: [("body", "Listo.")]).status == 303)
        let after = try site.run("GET", "/dashboard", as: site.admin)
        #expect(after.status == 200)
        #expect(Self.slaCounts(after.body)["on_time"] == 0)
        #expect(after.body.contains("Tickets abiertos: <strong>2</strong>"))
        #expect(Self.thisWeek(after.body)! == (3, 1))
        #expect(!after.body.contains(">Bancos</a>"))
    }

    @Test func clientsAndStrangersDoNotSeeIt() throws {
        let site = try GatewaySite.make()
        try site.openTicket(as: site.ana)
        #expect(try site.run("GET", "/dashboard", as: site.ana).status == 403)
        #expect(try site.run("GET", "/dashboard", as: site.ana, json: true).status == 403)
        let stranger = try site.run("GET", "/dashboard")
        #expect(stranger.status == 303 && stranger.location == "/cgi-bin/belenus/login")
        #expect(try site.run("POST", "/dashboard", as: site.tech, fields: []).status == 405)
    }

    @Test func aBuildWritesItAndRewritesItOnlyWhenAFigureChanges() throws {
        let site = try GatewaySite.make()
        let path = site.root + "/output/private/dashboard/index.html"
        #expect(FileManager.default.fileExists(atPath: path), "belenus build wrote it")
        #expect(site.read("output/private/dashboard/index.html").contains("No hay tickets abiertos."))
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date == before)
        _ = try site.sqlite("INSERT INTO tickets (number, title, product, version, body, org, requester, created_at, responsible, due_at, waiting_on, status, revision) VALUES (90, 't', 'Bancos', '3.0', 'b', 'Beta SA', 'bob', '2026-01-05T10:00:00Z', 'tech1', '2026-01-08T10:00:00Z', 'support', 'open', 1)")
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(Self.slaCounts(site.read("output/private/dashboard/index.html"))["overdue"] == 1)
    }
}
