// Issue 16, item 2: the page view at the exec floor.
import BelenusCore
import BelenusTestSupport
import Foundation
import Testing

/// `belenus-gateway`'s front door answers a ticket's page view without the whole gateway, and
/// must answer it exactly as the whole gateway (`belenus-gateway-full`) does, byte for byte, and
/// hand every other request over. Each case runs three programs on the same request: the front
/// door as installed (answering or handing over), the whole gateway alone, and a copy of the
/// front door in a folder without the whole gateway, which can only answer by itself (a request
/// it hands over ends in its 500: "not set up").
@Suite struct FrontDoorTests {
    /// The front door alone in a folder of its own.
    static let alone: String = {
        let folder = Scratch.path("front-door")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: CLI.binDir + "/belenus-gateway", toPath: folder + "/belenus-gateway")
        return folder + "/belenus-gateway"
    }()

    enum Door { case answers, handsOver }

    /// The request through the three programs: the same answer from the first two, and from the
    /// front door alone the answer when it answers, its 500 when it hands over.
    func check(_ site: GatewaySite, _ path: String, method: String = "GET", cookie: String?, headers: [String: String] = [:],
               extra: [String: String] = [:], _ door: Door, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var extra = extra
        if let cookie { extra["HTTP_COOKIE"] = cookie }
        func run(_ executable: String) throws -> CGI.Ended {
            try CGI.execute(site: site.root, method, path, headers: headers, extra: extra, executable: executable)
        }
        // Alone first: a request handed over may change what the next one finds (a page written again).
        let alone = try run(Self.alone)
        let installed = try run(CLI.binDir + "/belenus-gateway"), whole = try run(CLI.binDir + "/belenus-gateway-full")
        let status = { (ended: CGI.Ended) in Self.statusLine(ended) }
        #expect(installed.stdout == whole.stdout, "\(comment): the front door's answer is the whole gateway's", sourceLocation: sourceLocation)
        switch door {
        case .answers:
            #expect(alone.stdout == whole.stdout, "\(comment): answered by the front door (\(status(alone)), \(alone.stderr))", sourceLocation: sourceLocation)
            #expect(status(alone) == "Status: 200 OK", "\(comment)", sourceLocation: sourceLocation)
        case .handsOver:
            #expect(status(alone) == "Status: 500 Internal Server Error", "\(comment): handed over (\(status(alone)))", sourceLocation: sourceLocation)
            #expect(alone.stderr.contains("belenus-gateway-full is not at"), "\(comment): \(alone.stderr)", sourceLocation: sourceLocation)
        }
    }

    static func statusLine(_ ended: CGI.Ended) -> String {
        String(decoding: ended.stdout.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
    }

    func cookie(_ login: CGI.Login) -> String { "belenus_session=\(login.token); belenus_csrf=\(login.csrf)" }

    @Test func answersWhoMaySeeTheTicketAsTheWholeGatewayDoes() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "¿Qué versión?")]).status == 303)
        let other = String(repeating: "0", count: 64)
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), .answers, "the client who opened it")
        try check(site, "/tickets/\(n)", cookie: cookie(site.tech), .answers, "a technician")
        try check(site, "/tickets/\(n)", cookie: cookie(site.admin), .answers, "an administrator")
        try check(site, "/tickets/\(n)", cookie: "belenus_session=\(site.ana.token)", .answers, "no CSRF cookie: empty slots")
        try check(site, "/tickets/\(n)", cookie: "belenus_session=\(site.ana.token); belenus_csrf=\(other)", .answers, "another CSRF token")
        try check(site, "/tickets/\(n)", cookie: " theme=dark;belenus_session = \(site.tech.token)\t; belenus_session=\(other);junk; belenus_csrf=\(site.tech.csrf);",
                  .answers, "spaces, tabs, other cookies, a part without '=', the first of two")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), headers: ["Accept": "text/html"], extra: ["QUERY_STRING": "x=1"], .answers, "a query")

        // The page is the one the person may see: the client's forms, not the staff's, and the
        // session's token in them.
        let page = try CGI.execute(site: site.root, "GET", "/tickets/\(n)", extra: ["HTTP_COOKIE": cookie(site.ana)], executable: Self.alone)
        let html = String(decoding: page.stdout, as: UTF8.self)
        #expect(html.contains("value=\"\(site.ana.csrf)\"") && !html.contains("belenus:staff") && !html.contains("belenus:slots"))
        let lines = site.read("var/log/gateway.log").split(separator: "\n")
        #expect(lines.last?.split(separator: "\t").dropFirst().prefix(4).joined(separator: " ") == "GET /tickets/\(n) ana 200")
    }

    @Test func handsOverEverythingElse() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let page = "private/tickets/\(n)/index.html"
        try check(site, "/tickets/\(n)", cookie: cookie(site.bob), .handsOver, "a client of another company: 404")
        try check(site, "/tickets/\(n)", cookie: nil, .handsOver, "no session: to the login")
        try check(site, "/tickets/\(n)", cookie: "belenus_session=\(site.ana.token.uppercased())", .handsOver, "not a token")
        try check(site, "/tickets/\(n)", cookie: "belenus_session=\(site.ana.token); belenus_csrf=xyz", .handsOver, "an odd CSRF cookie")
        try check(site, "/tickets/\(n)", cookie: "belenus_session=\(site.ana.token);\u{301} belenus_csrf=\(site.ana.csrf)", .handsOver, "a combining mark")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), extra: ["HTTP_Cookie": cookie(site.ana)], .handsOver, "two spellings of Cookie")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), headers: ["Accept": "Application/JSON"], .handsOver, "JSON")
        try check(site, "/tickets/\(n)", method: "HEAD", cookie: cookie(site.ana), .handsOver, "HEAD")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), extra: ["CONTENT_LENGTH": "-1"], .handsOver, "a malformed length: 400")
        for path in ["/tickets/0\(n)", "/tickets/\(n)/", "/tickets//\(n)", "/tickets/99999", "/tickets"] {
            try check(site, path, cookie: cookie(site.ana), .handsOver, "\(path)")
        }
        _ = try site.sqlite("UPDATE pages SET fingerprint = 'stale' WHERE path = '\(page)'")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), .handsOver, "a stale page: the whole gateway writes it again")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), .answers, "then current")
        try FileManager.default.removeItem(atPath: site.root + "/output/" + page)
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), .handsOver, "a missing page")
        _ = try site.sqlite("UPDATE users SET disabled = 1 WHERE login = 'tech1'")
        try check(site, "/tickets/\(n)", cookie: cookie(site.tech), .handsOver, "a disabled account")
        _ = try site.sqlite("UPDATE sessions SET expires_at = '2001-01-01T00:00:00Z'")
        try check(site, "/tickets/\(n)", cookie: cookie(site.ana), .handsOver, "an expired session")
    }

    /// Checked on the front door alone: the whole gateway would migrate such a database.
    @Test func answersOnlyTheSchemaItsQueriesWereWrittenFor() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        func status() throws -> String {
            let ended = try CGI.execute(site: site.root, "GET", "/tickets/\(n)", extra: ["HTTP_COOKIE": cookie(site.ana)], executable: Self.alone)
            return Self.statusLine(ended)
        }
        #expect(try status() == "Status: 200 OK")
        _ = try site.sqlite("UPDATE grdb_migrations SET identifier = identifier || ' (older)' WHERE identifier = '\(FrontDoorSchema.migration)'")
        #expect(try status() == "Status: 500 Internal Server Error")
        try FileManager.default.moveItem(atPath: site.root + "/belenus.toml", toPath: site.root + "/belenus.toml.away")
        _ = try site.sqlite("UPDATE grdb_migrations SET identifier = '\(FrontDoorSchema.migration)' WHERE identifier LIKE '% (older)'")
        #expect(try status() == "Status: 500 Internal Server Error", "no belenus.toml: the whole gateway's error")
    }
}
