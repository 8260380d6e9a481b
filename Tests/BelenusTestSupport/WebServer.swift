#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// lighttpd, Apache or nginx (with fcgiwrap), started in the foreground with
/// docs/hosting/<server>.conf.
public final class WebServer {
    public let process = Process()
    public let client: HTTPClient
    public let runDir: String

    /// - Parameters:
    ///   - ready: the URL path of the site's `output/public/`: the server is up when it answers a
    ///     file made there for this start (`ReadyMarker`), whatever else listens nearby.
    ///   - gateway: the gateway binary (the tests' build, or an installed one).
    ///   - examples: the folder of the hosting configurations (the checkout's, or an installed copy).
    public init(_ name: String, site: String, ready: String = "/", gateway: String = CLI.binDir + "/belenus-gateway",
         examples: String = CLI.repoRoot + "/docs/hosting") throws {
        let port = try Ports.free()
        client = HTTPClient(port: port)
        runDir = Scratch.path("belenus-\(name)")
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let isRoot = getuid() == 0
        if name.hasPrefix("apache2") {
            try Self.apacheSite(examples: examples, site: site, port: port, gateway: gateway, wholeSite: name == "apache2-whole-site")
                .write(toFile: runDir + "/apache2-site.conf", atomically: true, encoding: .utf8)
        }
        for file in name.hasPrefix("apache2") ? ["apache2"] : [name] {
            let template = try String(contentsOfFile: examples + "/\(file).conf", encoding: .utf8)
            let config = template.replacingOccurrences(of: "@PORT@", with: String(port)).replacingOccurrences(of: "@SITE@", with: site)
                .replacingOccurrences(of: "@RUN@", with: runDir).replacingOccurrences(of: "@GATEWAY_DIR@", with: (gateway as NSString).deletingLastPathComponent)
                .replacingOccurrences(of: "@GATEWAY@", with: gateway)
                .replacingOccurrences(of: "@USER@", with: isRoot ? "User www-data\nGroup www-data" : "")
                .replacingOccurrences(of: "@NGINX_USER@", with: isRoot ? "user www-data;" : "")
            try config.write(toFile: runDir + "/\(file).conf", atomically: true, encoding: .utf8)
        }
        let configPath = runDir + (name.hasPrefix("apache2") ? "/apache2.conf" : "/\(name).conf")
        if isRoot, name != "lighttpd" {
            // Apache will not serve as root, nor do nginx's workers run as root: their user owns the
            // site's writable folders, as the guide says.
            try Self.shell("/bin/chown", ["-R", "www-data:www-data", site, runDir])
        }
        // Started as a service manager would: with no signal blocked. A child of the test process
        // inherits its blocked signals, and a lighttpd that cannot see SIGCHLD or SIGTERM leaves
        // zombies and never stops; python3 clears the mask and execs the server.
        let server = switch name {
        case "lighttpd": ["/usr/sbin/lighttpd", "-D", "-f", configPath]
        case "nginx": ["/usr/sbin/nginx", "-e", runDir + "/error.log", "-p", runDir, "-c", configPath]
        default: ["/usr/sbin/apache2", "-DFOREGROUND", "-f", configPath]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        if name == "nginx" {
            // With fcgiwrap as the web server's user, as Debian's fcgiwrap.socket unit starts it.
            process.arguments = ["python3", CLI.repoRoot + "/Tests/Support/with_helper.py"] + (isRoot ? ["--helper-user", "www-data"] : [])
                + ["/usr/sbin/fcgiwrap", "-c", "4", "-s", "unix:\(runDir)/fcgiwrap.socket", "--"] + server
        } else {
            process.arguments = ["python3", "-c", Self.cleanExec + "; os.execv(sys.argv[1], sys.argv[1:])"] + server
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let marker = try ReadyMarker(in: site + "/output/public")
        try process.run()
        for _ in 0..<100 {
            if let answer = try? client.get(ready + marker.name), answer.status == 200, answer.body == marker.body { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: runDir + "/error.log", encoding: .utf8)) ?? ""
        stop()
        throw HTTPClient.Failure(text: "\(name) did not answer on port \(port): \(log)")
    }

    /// The Debian site file as the install guide copies it, with this test's folder, port and
    /// gateway for the guide's; `wholeSite`: with apache2-whole-site.conf's lines at the end of
    /// its VirtualHost, as that file says.
    static func apacheSite(examples: String, site: String, port: Int, gateway: String, wholeSite: Bool) throws -> String {
        var text = try String(contentsOfFile: examples + "/apache2-site.conf", encoding: .utf8)
        if wholeSite {
            let extra = try String(contentsOfFile: examples + "/apache2-whole-site.conf", encoding: .utf8)
            text = text.replacingOccurrences(of: "</VirtualHost>", with: extra + "</VirtualHost>")
        }
        return text.replacingOccurrences(of: "/srv/soporte", with: site).replacingOccurrences(of: "*:80", with: "*:\(port)")
            .replacingOccurrences(of: "/usr/lib/cgi-bin/belenus-gateway", with: gateway)
            .replacingOccurrences(of: "\"/usr/lib/cgi-bin\"", with: "\"\((gateway as NSString).deletingLastPathComponent)\"")
    }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Python that clears the signal mask and restores the default handlers the test process changed.
    public static let cleanExec = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
        + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGPIPE, signal.SIGTERM, signal.SIGCHLD)]"

    public static func shell(_ program: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
    }
}

/// curl against 127.0.0.1:port, with a cookie jar per person.
public struct HTTPClient: Sendable {
    public let port: Int
    public init(port: Int) { self.port = port }

    public struct Failure: Error, CustomStringConvertible {
        public let text: String
        public init(text: String) { self.text = text }
        public var description: String { text }
    }

    public struct Answer: Sendable {
        public let status: Int
        public let headers: String
        public let body: String
        public func header(_ name: String) -> String? { all(name).first }
        /// Every value of a header: a server's and the gateway's both, if both sent one.
        public func all(_ name: String) -> [String] {
            headers.components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// A logged-in person: their cookie jar and CSRF token.
    public struct Person: Sendable {
        public let jar: String
        public let csrf: String
        public init(jar: String, csrf: String) { (self.jar, self.csrf) = (jar, csrf) }
    }

    public func curl(_ arguments: [String], path: String) throws -> Answer {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let headers = Scratch.path("h")
        p.arguments = ["-s", "--path-as-is", "-D", headers] + arguments + ["http://127.0.0.1:\(port)\(path)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let body = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let head = (try? String(contentsOfFile: headers, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: headers)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Answer(status: status, headers: head, body: String(decoding: body, as: UTF8.self))
    }

    public func get(_ path: String, as person: Person? = nil, json: Bool = false) throws -> Answer {
        var args = person.map { ["-b", $0.jar] } ?? []
        if json { args += ["-H", "Accept: application/json"] }
        return try curl(args, path: path)
    }

    public func login(_ login: String, _ password: String) throws -> Person {
        let jar = Scratch.path("jar")
        let answer = try curl(["-c", jar, "--data-urlencode", "login=\(login)", "--data-urlencode", "password=\(password)"], path: "/cgi-bin/belenus/login")
        let cookies = (try? String(contentsOfFile: jar, encoding: .utf8)) ?? ""
        let csrf = cookies.split(separator: "\n").first { $0.contains("belenus_csrf") }?.split(separator: "\t").last.map(String.init) ?? ""
        guard answer.status == 303, csrf.count == 64 else { throw Failure(text: "login \(login): \(answer.status) \(answer.body)") }
        return Person(jar: jar, csrf: csrf)
    }

    /// A form as a browser sends it: multipart when there is a file, else urlencoded.
    public func post(_ path: String, as person: Person, form: [String: String], file: String? = nil, headers: [String] = []) throws -> Answer {
        var args = ["-b", person.jar] + headers.flatMap { ["-H", $0] }
        let fields = [("csrf", person.csrf)] + form.sorted { $0.key < $1.key }
        if let file {
            args += fields.flatMap { ["--form-string", "\($0.0)=\($0.1)"] } + ["-F", "file=@\(file)"]
        } else {
            args += fields.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] }
            if fields.count == 1 { args += ["-X", "POST"] }
        }
        return try curl(args, path: path)
    }
}
