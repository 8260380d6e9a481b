import BelenusTestSupport
import BelenusCore
import BelenusGateway
import BelenusInput
import BelenusFiles
import Foundation
import GRDB
import Testing

/// Runs the real `belenus-gateway` binary as a web server would (RFC 3875): CGI variables in
/// the environment, the body on stdin, the answer parsed from stdout.
struct CGI {
    struct Answer {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: String
        let stderr: String

        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var cookies: [String] { headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) }
        var location: String { header("Location") ?? "" }
        func cookie(_ name: String) -> String? {
            cookies.lazy.compactMap { $0.split(separator: ";").first }.first { $0.hasPrefix("\(name)=") }
                .map { String($0.dropFirst(name.count + 1)) }
        }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// - Parameter inProcess: call the gateway in this process instead of running its binary:
    ///   for tests of the gateway's logic (statuses, fields, what is stored and shown), where a
    ///   process adds only time. What `main.swift` does around `Gateway` (stdin, stdout, signals,
    ///   stderr) is tested through the binary.
    static func run(
        site: String, _ method: String, _ path: String, query: String = "", body: [UInt8] = [], contentType: String? = nil,
        session: Login? = nil, headers: [String: String] = [:], contentLength: Int? = nil, extra: [String: String] = [:],
        inProcess: Bool = false
    ) throws -> Answer {
        if inProcess {
            let request = CGIRequest(environment: environment(
                site: site, method, path, query: query, body: body, contentType: contentType, session: session,
                headers: headers, contentLength: contentLength, extra: extra))
            let gateway = try Gateway(request: request, site: site, readBody: { count in Array(body.prefix(count)) })
            var response = gateway.respond()
            if request.method == "HEAD" { response.body = [] }
            gateway.deliverQueuedMail()
            return try parse(Data(response.cgiBytes), stderr: "")
        }
        let ended = try execute(site: site, method, path, query: query, body: body, contentType: contentType, session: session,
                                headers: headers, contentLength: contentLength, extra: extra)
        return try parse(ended.stdout, stderr: ended.stderr)
    }

    /// How a gateway process ended: what it wrote, and the signal that killed it, if one did.
    struct Ended {
        let stdout: Data
        let stderr: String
        let signal: Int32?
    }

    /// - Parameter executable: the CGI program (FrontDoorTests run `belenus-gateway-full` too).
    static func execute(
        site: String, _ method: String, _ path: String, query: String = "", body: [UInt8] = [], contentType: String? = nil,
        session: Login? = nil, headers: [String: String] = [:], contentLength: Int? = nil, extra: [String: String] = [:],
        executable: String = CLI.binDir + "/belenus-gateway"
    ) throws -> Ended {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = environment(site: site, method, path, query: query, body: body, contentType: contentType, session: session,
                                          headers: headers, contentLength: contentLength, extra: extra)
        let (input, output, error) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: Data(body))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Ended(stdout: out, stderr: String(decoding: err, as: UTF8.self),
                     signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
    }

    /// The CGI variables a web server would set for this request (RFC 3875).
    static func environment(
        site: String, _ method: String, _ path: String, query: String, body: [UInt8], contentType: String?,
        session: Login?, headers: [String: String], contentLength: Int?, extra: [String: String]
    ) -> [String: String] {
        var env: [String: String] = [
            "BELENUS_SITE": site, "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "SCRIPT_NAME": "/cgi-bin/belenus",
            "PATH_INFO": path, "QUERY_STRING": query, "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8080", "PATH": "/usr/bin:/bin",
        ]
        if method == "POST" || !body.isEmpty { env["CONTENT_LENGTH"] = String(contentLength ?? body.count) }
        if let contentType { env["CONTENT_TYPE"] = contentType }
        if let session { env["HTTP_COOKIE"] = "belenus_session=\(session.token); belenus_csrf=\(session.csrf)" }
        for (name, value) in headers { env["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value }
        for (name, value) in extra { env[name] = value }
        return env
    }

    static func parse(_ data: Data, stderr: String) throws -> Answer {
        let bytes = Array(data)
        guard let split = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
            Issue.record("no CGI header block in: \(String(decoding: bytes, as: UTF8.self)) stderr: \(stderr)")
            return Answer(status: 0, headers: [], body: "", stderr: stderr)
        }
        let head = String(decoding: bytes[..<split], as: UTF8.self)
        var status = 200
        var headers: [(String, String)] = []
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "Status" { status = Int(value.prefix(3)) ?? 0 } else { headers.append((name, value)) }
        }
        return Answer(status: status, headers: headers, body: String(decoding: bytes[(split + 4)...], as: UTF8.self), stderr: stderr)
    }

    /// A logged-in person's cookies.
    struct Login: Sendable {
        let token: String
        let csrf: String
    }

    static func urlencoded(_ fields: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
    }

    static let boundary = "----belenus-test-boundary-7MA4YWxkTrZu0gW"

    /// RFC 7578 body: fields, then files as (field, filename, bytes).
    static func multipart(_ fields: [(String, String)], files: [(String, String, [UInt8])] = []) -> [UInt8] {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for (name, filename, bytes) in files {
            // A quoted string (RFC 7578 §4.2), escaped by bytes: `replacingOccurrences` compares
            // Characters and would leave a quote followed by a combining mark unescaped.
            let quoted = ByteText.replacing("\"", with: "\\\"", in: ByteText.replacing("\\", with: "\\\\", in: filename))
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(quoted)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += bytes + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }

    static var multipartType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Whether `text` is a whole generated page: the doctype, then everything to `</html>`, then
    /// (a page the gateway serves) the line that lists its CSRF slots.
    static func isWholePage(_ text: String) -> Bool {
        guard text.hasPrefix("<!DOCTYPE html>") else { return false }
        if text.hasSuffix("</html>\n") { return true }
        guard text.hasSuffix("-->\n"), let line = text.dropLast().lastIndex(of: "\n") else { return false }
        return text[text.index(after: line)...].hasPrefix("<!--belenus:slots ") && text[...line].hasSuffix("</html>\n")
    }
}

/// A site with two companies, a client of each, a tech and an admin, two products; each test
/// works on its own copy (made in milliseconds), logged in once when the template was made.
struct GatewaySite {
    let root: String
    let ana: CGI.Login      // client of Acme S.A.
    let bob: CGI.Login      // client of Beta SA
    let tech: CGI.Login     // tech1, responsible for Nómina
    let admin: CGI.Login
    /// Requests go to the gateway in this process rather than to its binary (`CGI.run`).
    var inProcess = false

    static let passwords = ["ana": "clave-de-ana-1", "bob": "clave-de-bob-1", "tech1": "clave-de-tech-1", "admin1": "clave-de-admin-1"]

    private static let template: Result<GatewaySite, Error> = Result {
        let root = Scratch.path("belenus-gw-template")
        func cli(_ args: [String], stdin: String = "") throws {
            let r = try CLI.run(args + ["--site", root], stdin: stdin)
            guard r.status == 0 else { throw CLIFailure(text: "\(args): \(r.stderr)") }
        }
        _ = try CLI.run(["init", root])
        try cli(["org", "add", "Acme S.A."])
        try cli(["org", "add", "Beta SA"])
        try cli(["user", "add", "tech1", "--name", "Téc Uno", "--email", "tech1@soporte.mx", "--role", "tech"], stdin: passwords["tech1"]!)
        try cli(["user", "add", "admin1", "--name", "Admin Uno", "--email", "admin1@soporte.mx", "--role", "admin"], stdin: passwords["admin1"]!)
        try cli(["user", "add", "ana", "--name", "Ana Pérez", "--email", "ana@acme.mx", "--role", "client", "--org", "Acme S.A."], stdin: passwords["ana"]!)
        try cli(["user", "add", "bob", "--name", "Bob Beta", "--email", "bob@beta.mx", "--role", "client", "--org", "Beta SA"], stdin: passwords["bob"]!)
        try cli(["product", "add", "Nómina", "--versions", "2024.1,2025.1", "--responsible", "tech1"])
        try cli(["product", "add", "Bancos", "--versions", "3.0"])
        try cli(["build"])
        func login(_ name: String) throws -> CGI.Login {
            let answer = try CGI.run(site: root, "POST", "/login", body: CGI.urlencoded([("login", name), ("password", passwords[name]!)]),
                                     contentType: "application/x-www-form-urlencoded")
            guard answer.status == 303, let token = answer.cookie("belenus_session"), let csrf = answer.cookie("belenus_csrf") else {
                throw CLIFailure(text: "login \(name): \(answer.status) \(answer.body) \(answer.stderr)")
            }
            return CGI.Login(token: token, csrf: csrf)
        }
        return GatewaySite(root: root, ana: try login("ana"), bob: try login("bob"), tech: try login("tech1"), admin: try login("admin1"))
    }

    struct CLIFailure: Error, CustomStringConvertible { let text: String; var description: String { text } }

    /// A fresh copy of the template site.
    static func make(inProcess: Bool = false) throws -> GatewaySite {
        var site = try copy(of: try template.get())
        site.inProcess = inProcess
        return site
    }

    /// Another site with the same files and logins.
    static func copy(of site: GatewaySite) throws -> GatewaySite {
        let root = Scratch.path("belenus-gw")
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", site.root, root]
        try copy.run()
        copy.waitUntilExit()
        return GatewaySite(root: root, ana: site.ana, bob: site.bob, tech: site.tech, admin: site.admin)
    }

    func run(_ method: String, _ path: String, as login: CGI.Login? = nil, fields: [(String, String)]? = nil, multipart: [(String, String)]? = nil,
             files: [(String, String, [UInt8])] = [], query: String = "", json: Bool = false, headers: [String: String] = [:]) throws -> CGI.Answer {
        var headers = headers
        if json { headers["Accept"] = "application/json" }
        if let multipart {
            let fieldsWithToken = (login.map { [("csrf", $0.csrf)] } ?? []) + multipart
            return try CGI.run(site: root, method, path, query: query, body: CGI.multipart(fieldsWithToken, files: files),
                               contentType: CGI.multipartType, session: login, headers: headers, inProcess: inProcess)
        }
        if let fields {
            let withToken = (login.map { [("csrf", $0.csrf)] } ?? []) + fields
            return try CGI.run(site: root, method, path, query: query, body: CGI.urlencoded(withToken),
                               contentType: "application/x-www-form-urlencoded", session: login, headers: headers, inProcess: inProcess)
        }
        return try CGI.run(site: root, method, path, query: query, session: login, headers: headers, inProcess: inProcess)
    }

    /// Opens a ticket as `login` and returns its number.
    @discardableResult
    func openTicket(as login: CGI.Login, title: String = "No timbra la nómina", product: String = "Nómina", body: String = "Al timbrar falla.",
                    files: [(String, String, [UInt8])] = [], org: String? = nil) throws -> Int {
        let version = product == "Bancos" ? "3.0" : "2025.1"
        var fields = [("title", title), ("product", product), ("version", version), ("body", body)]
        if let org { fields.append(("org", org)) }
        let answer = try run("POST", "/tickets", as: login, multipart: fields, files: files)
        #expect(answer.status == 303, "\(answer.body)")
        return Int(answer.location.split(separator: "/").last ?? "") ?? 0
    }

    func sqlite(_ sql: String) throws -> String { try Self.sqlite(root: root, sql) }

    /// Sets keys of the site's `belenus.toml` ("timezone", "mail.transport").
    func configure(_ changes: [String: ConfigFile.Value]) throws { try ConfigFile.update(root + "/belenus.toml", changes) }

    /// Runs `sql` on the database of the site at `root` (through GRDB, in this process), rows as
    /// `a|b` lines; NULL is "None".
    static func sqlite(root: String, _ sql: String) throws -> String {
        let queue = try DatabaseQueue(path: root + "/var/belenus.sqlite3")
        let rows = try queue.write { db in try Row.fetchAll(db, sql: sql) }
        return rows.map { row in
            row.databaseValues.map { value -> String in
                switch value.storage {
                case .null: "None"
                case .int64(let i): String(i)
                case .double(let d): String(d)
                case .string(let s): s
                case .blob(let data): String(decoding: data, as: UTF8.self)
                }
            }.joined(separator: "|")
        }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func count(_ table: String) throws -> Int { Int(try sqlite("SELECT COUNT(*) FROM \(table)")) ?? -1 }

    func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func read(_ relative: String) -> String {
        (FileManager.default.contents(atPath: root + "/" + relative)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
