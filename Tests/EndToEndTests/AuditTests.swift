// Issue 6, item 6: the audit trail, the request log and the ticket history.
import BelenusTestSupport
import Foundation
import Testing

/// Issue 6: every gateway request leaves one line in `var/log/gateway.log`, which rotates.
@Suite struct RequestLogTests {
    func lines(_ site: GatewaySite, _ file: String = "var/log/gateway.log") -> [[String]] {
        site.read(file).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Through the binary: the line is written by its main.swift, after the answer.
    @Test func everyRequestLeavesOneLineWithoutSecrets() throws {
        let site = try GatewaySite.make(through: .binary)
        let before = lines(site).count  // logins made by the harness
        #expect(before > 0)
        let n = try site.openTicket(as: site.ana)
        #expect(try site.run("GET", "/tickets/\(n)", as: site.ana).status == 200)
        #expect(try site.run("GET", "/tickets/\(n)", as: site.bob).status == 404)
        #expect(try site.run("POST", "/login", fields: [("login", "ana"), ("password", "clave-secreta-equivocada")]).status == 401)
        #expect(try site.run("GET", "/kb/search", query: "q=palabra-buscada").status == 200)
        #expect(try site.run("GET", "/tickets/\(n)\nforjada\t200").status == 404)
        let log = lines(site).dropFirst(before)
        #expect(log.count == 6, "\(log)")
        for line in log {
            #expect(line.count == 6, "\(line)")
            #expect(line[0].hasSuffix("Z") && line[0].count == 20, "\(line)")  // ISO time, UTC
            #expect(Double(line[5]) != nil, "\(line)")
        }
        let rows = log.map { $0[1...4].joined(separator: " ") }
        #expect(rows[0] == "POST /tickets ana 303")
        #expect(rows[1] == "GET /tickets/\(n) ana 200")
        #expect(rows[2] == "GET /tickets/\(n) bob 404")
        #expect(rows[3] == "POST /login - 401")
        #expect(rows[4] == "GET /kb/search - 200")
        #expect(rows[5] == "GET /tickets/\(n)?forjada?200 - 404")
        let text = site.read("var/log/gateway.log")
        for secret in ["clave-secreta-equivocada", "palabra-buscada", site.ana.token, site.ana.csrf] {
            #expect(!text.contains(secret), "\(secret) in the log")
        }
    }

    @Test func aFullLogIsRotatedKeepingFive() throws {
        let site = try GatewaySite.make()
        let folder = site.root + "/var/log"
        // The log at its limit, and five older ones.
        try Data(repeating: UInt8(ascii: "x"), count: 10 << 20).write(to: URL(fileURLWithPath: folder + "/gateway.log"))
        for k in 1...5 { try Data("old \(k)\n".utf8).write(to: URL(fileURLWithPath: folder + "/gateway.log.\(k)")) }
        #expect(try site.run("GET", "/login").status == 200)
        #expect(lines(site).count == 1)
        let sizes = try (1...5).map { try FileManager.default.attributesOfItem(atPath: folder + "/gateway.log.\($0)")[.size] as? Int }
        #expect(sizes[0] == 10 << 20)
        #expect(site.read("var/log/gateway.log.2") == "old 1\n")
        #expect(site.read("var/log/gateway.log.5") == "old 4\n")  // "old 5" was the oldest: gone
        #expect(!FileManager.default.fileExists(atPath: folder + "/gateway.log.6"))
    }
}

/// Issue 6: a ticket's history only grows. Every action appends its event; none changes or
/// removes an earlier one, and no route or method reaches the events themselves.
@Suite struct HistoryTests {
    @Test func everyActionAppendsAndNoneRewritesTheHistory() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        func history() throws -> [String] {
            try site.sqlite("SELECT id, ticket, at, actor, kind, body, changes FROM events ORDER BY id").split(separator: "\n").map(String.init)
        }
        var before = try history()
        let steps: [(String, CGI.Login, [(String, String)])] = [
            ("comments", site.tech, [("body", "¿Qué versión del timbrado?")]),
            ("comments", site.ana, [("body", "La 2025.1.")]),
            ("assign", site.tech, [("assigned", "admin1")]),
            ("close", site.tech, [("body", "Renovar el sello digital.")]),
            ("reopen", site.ana, [("body", "Sigue fallando.")]),
            ("close", site.tech, [("body", "Actualizar el certificado.")]),
            ("approve", site.ana, []),
        ]
        for (action, who, fields) in steps {
            #expect(try site.run("POST", "/tickets/\(n)/\(action)", as: who, fields: fields).status == 303, "\(action)")
            let after = try history()
            #expect(after.count == before.count + 1, "\(action) appends one event")
            #expect(Array(after.prefix(before.count)) == before, "\(action) left the earlier events as they were")
            before = after
        }
        // Nothing addresses an event: no route for one, and a DELETE or PUT is not a method here.
        for path in ["/tickets/\(n)/events", "/tickets/\(n)/events/1", "/events/1"] {
            #expect(try site.run("POST", path, as: site.admin, fields: [("body", "x")]).status == 404, "\(path)")
        }
        for method in ["DELETE", "PUT", "PATCH"] {
            #expect(try site.run(method, "/tickets/\(n)", as: site.admin).status == 405, "\(method)")
        }
        #expect(try history() == before)
    }
}
