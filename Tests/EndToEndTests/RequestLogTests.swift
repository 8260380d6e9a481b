import Foundation
import Testing

/// Issue 6: every gateway request leaves one line in `var/log/gateway.log`, which rotates.
@Suite struct RequestLogTests {
    func lines(_ site: GatewaySite, _ file: String = "var/log/gateway.log") -> [[String]] {
        site.read(file).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func everyRequestLeavesOneLineWithoutSecrets() throws {
        let site = try GatewaySite.make()
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
