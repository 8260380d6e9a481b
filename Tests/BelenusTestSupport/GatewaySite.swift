import BelenusBuild
import BelenusCore
import BelenusFiles
import BelenusGateway
import BelenusInput
import BelenusStore
import Foundation
import GRDB
import Testing

/// How a test's request reaches the gateway.
public enum GatewayRunner: Sendable {
    /// `Gateway` called in the test's process: the default, for the gateway's logic (statuses,
    /// fields, what is stored and shown), where a process adds only time.
    case inProcess
    /// The real `belenus-gateway` binary, as a web server runs it: where the process matters
    /// (stdin and stdout, signals, the front door and its exec of the whole gateway, crash
    /// points, simultaneous processes).
    case binary
}

/// Sends a request to the gateway as a web server would (RFC 3875): CGI variables in the
/// environment, the body on stdin, the answer parsed from stdout; in this process or through
/// the binary (`GatewayRunner`).
public enum CGI {
    public struct Answer: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: String
        public let stderr: String

        public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        public var cookies: [String] { headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) }
        public var location: String { header("Location") ?? "" }
        public func cookie(_ name: String) -> String? {
            cookies.lazy.compactMap { $0.split(separator: ";").first }.first { $0.hasPrefix("\(name)=") }
                .map { String($0.dropFirst(name.count + 1)) }
        }
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    /// - Parameter runner: in this process (the default) or through the binary. What `main.swift`
    ///   does around `Gateway` (stdin, stdout, signals, stderr) is tested through the binary.
    public static func run(
        site: String, _ method: String, _ path: String, query: String = "", body: [UInt8] = [], contentType: String? = nil,
        session: Login? = nil, headers: [String: String] = [:], contentLength: Int? = nil, extra: [String: String] = [:],
        through runner: GatewayRunner = .inProcess
    ) throws -> Answer {
        if runner == .inProcess {
            let request = CGIRequest(environment: environment(
                site: site, method, path, query: query, body: body, contentType: contentType, session: session,
                headers: headers, contentLength: contentLength, extra: extra))
            // What the binary's main.swift does, in its order, but for the signals and file
            // descriptors: answer, log, hand over the mail.
            let started = Date()
            let gateway = try Gateway(request: request, site: site, readBody: { count in Array(body.prefix(count)) })
            var response = gateway.respond()
            if request.method == "HEAD" { response.body = [] }
            gateway.logRequest(response, started: started)
            gateway.deliverQueuedMail()
            return try parse(Data(response.cgiBytes), stderr: "")
        }
        let ended = try execute(site: site, method, path, query: query, body: body, contentType: contentType, session: session,
                                headers: headers, contentLength: contentLength, extra: extra)
        return try parse(ended.stdout, stderr: ended.stderr)
    }

    /// How a gateway process ended: what it wrote, and the signal that killed it, if one did.
    public struct Ended: Sendable {
        public let stdout: Data
        public let stderr: String
        public let signal: Int32?
    }

    /// - Parameter executable: the CGI program (FrontDoorTests run `belenus-gateway-full` too).
    public static func execute(
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
    public static func environment(
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

    public static func parse(_ data: Data, stderr: String) throws -> Answer {
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
    public struct Login: Sendable {
        public let token: String
        public let csrf: String
        public init(token: String, csrf: String) { (self.token, self.csrf) = (token, csrf) }
    }

    public static func urlencoded(_ fields: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
    }

    public static let boundary = "----belenus-test-boundary-7MA4YWxkTrZu0gW"

    /// RFC 7578 body: fields, then files as (field, filename, bytes).
    public static func multipart(_ fields: [(String, String)], files: [(String, String, [UInt8])] = []) -> [UInt8] {
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

    public static var multipartType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Whether `text` is a whole generated page: the doctype, then everything to `</html>`, then
    /// (a page the gateway serves) the line that lists its CSRF slots.
    public static func isWholePage(_ text: String) -> Bool {
        guard text.hasPrefix("<!DOCTYPE html>") else { return false }
        if text.hasSuffix("</html>\n") { return true }
        guard text.hasSuffix("-->\n"), let line = text.dropLast().lastIndex(of: "\n") else { return false }
        return text[text.index(after: line)...].hasPrefix("<!--belenus:slots ") && text[...line].hasSuffix("</html>\n")
    }
}

/// A site with two companies, a client of each, a tech and an admin, two products; each test
/// works on its own copy (made in milliseconds), logged in once when the template was made. The
/// template is made in this process, by the functions the CLI's commands call.
public struct GatewaySite: Sendable {
    public let root: String
    public let ana: CGI.Login      // client of Acme S.A.
    public let bob: CGI.Login      // client of Beta SA
    public let tech: CGI.Login     // tech1, responsible for Nómina
    public let admin: CGI.Login
    /// How this site's requests reach the gateway.
    public var runner = GatewayRunner.inProcess

    public static let passwords = ["ana": "clave-de-ana-1", "bob": "clave-de-bob-1", "tech1": "clave-de-tech-1", "admin1": "clave-de-admin-1"]

    private static let template: Result<GatewaySite, Error> = Result {
        let root = Scratch.path("belenus-gw-template")
        let paths = try SiteInit.create(at: root, from: Repository.root)
        let store = try Store(path: paths.database)
        try store.addOrg("Acme S.A.")
        try store.addOrg("Beta SA")
        let people: [(String, String, String, Role, String?)] = [
            ("tech1", "Téc Uno", "tech1@soporte.mx", .tech, nil), ("admin1", "Admin Uno", "admin1@soporte.mx", .admin, nil),
            ("ana", "Ana Pérez", "ana@acme.mx", .client, "Acme S.A."), ("bob", "Bob Beta", "bob@beta.mx", .client, "Beta SA"),
        ]
        for (login, name, email, role, org) in people {
            try store.addUser(User(login: Login(login), name: name, email: email, role: role, org: org, disabled: false, hasPassword: true),
                              passwordHash: try PasswordHasher.standard.hash(passwords[login]!))
        }
        try store.addProduct("Nómina", versions: ["2024.1", "2025.1"], responsible: Login("tech1"))
        try store.addProduct("Bancos", versions: ["3.0"], responsible: nil)
        _ = try SiteBuilder(paths: paths, store: store).build(full: false)
        func login(_ name: String) throws -> CGI.Login {
            let answer = try CGI.run(site: root, "POST", "/login", body: CGI.urlencoded([("login", name), ("password", passwords[name]!)]),
                                     contentType: "application/x-www-form-urlencoded")
            guard answer.status == 303, let token = answer.cookie("belenus_session"), let csrf = answer.cookie("belenus_csrf") else {
                throw CLI.Failure(text: "login \(name): \(answer.status) \(answer.body) \(answer.stderr)")
            }
            return CGI.Login(token: token, csrf: csrf)
        }
        return GatewaySite(root: root, ana: try login("ana"), bob: try login("bob"), tech: try login("tech1"), admin: try login("admin1"))
    }

    /// A fresh copy of the template site, its requests sent through `runner`.
    public static func make(through runner: GatewayRunner = .inProcess) throws -> GatewaySite {
        var site = try copy(of: try template.get())
        site.runner = runner
        return site
    }

    /// Another site with the same files, logins and runner.
    public static func copy(of site: GatewaySite) throws -> GatewaySite {
        let root = Scratch.path("belenus-gw")
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", site.root, root]
        try copy.run()
        copy.waitUntilExit()
        return GatewaySite(root: root, ana: site.ana, bob: site.bob, tech: site.tech, admin: site.admin, runner: site.runner)
    }

    public func run(_ method: String, _ path: String, as login: CGI.Login? = nil, fields: [(String, String)]? = nil, multipart: [(String, String)]? = nil,
             files: [(String, String, [UInt8])] = [], query: String = "", json: Bool = false, headers: [String: String] = [:]) throws -> CGI.Answer {
        var headers = headers
        if json { headers["Accept"] = "application/json" }
        if let multipart {
            let fieldsWithToken = (login.map { [("csrf", $0.csrf)] } ?? []) + multipart
            return try CGI.run(site: root, method, path, query: query, body: CGI.multipart(fieldsWithToken, files: files),
                               contentType: CGI.multipartType, session: login, headers: headers, through: runner)
        }
        if let fields {
            let withToken = (login.map { [("csrf", $0.csrf)] } ?? []) + fields
            return try CGI.run(site: root, method, path, query: query, body: CGI.urlencoded(withToken),
                               contentType: "application/x-www-form-urlencoded", session: login, headers: headers, through: runner)
        }
        return try CGI.run(site: root, method, path, query: query, session: login, headers: headers, through: runner)
    }

    /// Opens a ticket as `login` and returns its number.
    @discardableResult
    public func openTicket(as login: CGI.Login, title: String = "No timbra la nómina", product: String = "Nómina", body: String = "Al timbrar falla.",
                    files: [(String, String, [UInt8])] = [], org: String? = nil) throws -> Int {
        let version = product == "Bancos" ? "3.0" : "2025.1"
        var fields = [("title", title), ("product", product), ("version", version), ("body", body)]
        if let org { fields.append(("org", org)) }
        let answer = try run("POST", "/tickets", as: login, multipart: fields, files: files)
        #expect(answer.status == 303, "\(answer.body)")
        return Int(answer.location.split(separator: "/").last ?? "") ?? 0
    }

    /// Opens a ticket as ana, closes it as the tech with a solution, and has ana approve it
    /// (VoBo): a ticket that may be published. Its number.
    public func approvedTicket(title: String = "Error CFDI40102 al timbrar") throws -> Int {
        let n = try openTicket(as: ana, title: title)
        #expect(try run("POST", "/tickets/\(n)/close", as: tech, fields: [("body", "Renovar el sello digital.")]).status == 303)
        #expect(try run("POST", "/tickets/\(n)/approve", as: ana, fields: []).status == 303)
        return n
    }

    public func sqlite(_ sql: String) throws -> String { try Self.sqlite(root: root, sql) }

    /// Sets keys of the site's `belenus.toml` ("timezone", "mail.transport").
    public func configure(_ changes: [String: ConfigFile.Value]) throws { try ConfigFile.update(root + "/belenus.toml", changes) }

    /// Runs `sql` on the database of the site at `root` (through GRDB, in this process), rows as
    /// `a|b` lines; NULL is "None".
    /// Runs `body` while another connection holds the database's write lock (`BEGIN EXCLUSIVE`):
    /// what a writer that outlasts the busy timeout looks like to a process.
    public func withDatabaseLocked<T>(_ body: () throws -> T) throws -> T {
        let queue = try DatabaseQueue(path: root + "/var/belenus.sqlite3")
        return try queue.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try body()
        }
    }

    public static func sqlite(root: String, _ sql: String) throws -> String {
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

    public func count(_ table: String) throws -> Int { Int(try sqlite("SELECT COUNT(*) FROM \(table)")) ?? -1 }

    public func files(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The mail the file transport wrote (`var/mail/sent/`), oldest first, each as its headers
    /// and its body decoded from quoted-printable.
    public func sentMail() -> [(headers: String, body: String)] {
        files(in: "var/mail/sent").filter { $0.hasSuffix(".eml") }.map { name in
            let text = read("var/mail/sent/" + name)
            let parts = text.components(separatedBy: "\r\n\r\n")
            return (parts[0], Self.quotedPrintable(parts.dropFirst().joined(separator: "\r\n\r\n")))
        }
    }

    /// The token of the first password link in a mail body.
    public static func linkToken(in body: String) -> String? {
        guard let range = body.range(of: "/password/reset?token=") else { return nil }
        let token = body[range.upperBound...].prefix { $0.isHexDigit }
        return token.count == 64 ? String(token) : nil
    }

    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "="), i + 2 < source.count, let byte = UInt8(String(decoding: source[i + 1...i + 2], as: UTF8.self), radix: 16) {
                bytes.append(byte)
                i += 3
            } else {
                bytes.append(source[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func read(_ relative: String) -> String {
        (FileManager.default.contents(atPath: root + "/" + relative)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
