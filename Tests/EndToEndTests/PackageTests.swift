import BelenusCore
import BelenusFiles
import BelenusTestSupport
import Foundation
import Testing
import TOMLKit

/// The webmaster's path: the Debian package `make test` builds from this build
/// (`make deb CONFIG=debug`), installed and set up by running docs/install.md's steps as written
/// on this machine (Debian's own Apache on port 80, Debian's cron); then a client's journey
/// through it, the mail and an overdue colour that cron delivers and repaints with nobody running
/// a command, the nightly backup and its restore drill (docs/operations.md), and a removal that
/// leaves the site's data alone.
@Suite(.serialized) struct PackageTests {
    static let package = CLI.repoRoot + "/.build/belenus_\(BelenusVersion.current)_amd64.deb"
    static let adminPassword = "clave-del-administrador"

    /// Runs `program` with a bare environment (no BELENUS_HOME) from `directory`; its status and output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], stdin: String = "", directory: String = "/") throws
        -> (status: Int32, output: String)
    {
        let result = try CLI.launch(program, arguments, stdin: stdin, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"],
                                    directory: directory)
        return (result.status, result.stdout + result.stderr)
    }

    /// One of the guide's `sh` blocks through bash (`-euo pipefail`) in `directory`, with `stdin`;
    /// its status and output. Spawned and waited for by hand, its output through a file: a block
    /// that starts a daemon (Apache) would otherwise leave Foundation's `Process` unreaped.
    static func shell(_ script: String, stdin: String, directory: String) throws -> (status: Int32, output: String) {
        let input = Scratch.path("paso", suffix: ".in"), log = Scratch.path("paso", suffix: ".log")
        try stdin.write(toFile: input, atomically: true, encoding: .utf8)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = ["/bin/bash", "-euo", "pipefail", "-c", "cd '\(directory)'\n" + script]
        let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
        var pid = pid_t()
        let argv = arguments.map { strdup($0) } + [nil], envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, envp)
        guard spawned == 0 else { throw HTTPClient.Failure(text: "bash: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// A fenced block of the guide: its language (`sh` or `toml`) and text.
    struct Step {
        let language: String
        let text: String
    }

    /// docs/install.md's `sh` and `toml` blocks in order, without those the line before marks
    /// "not run by the package test"; the address people open is this machine's, on HTTP.
    static func guide() throws -> [Step] {
        let lines = try String(contentsOfFile: CLI.repoRoot + "/docs/install.md", encoding: .utf8).components(separatedBy: "\n")
        var steps: [Step] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("```"), line.count > 3 else { continue }
            let language = String(line.dropFirst(3))
            let skipped = index >= 2 && lines[index - 2].hasPrefix("<!-- not run by the package test")
            var body: [String] = []
            while index < lines.count, lines[index] != "```" {
                body.append(lines[index])
                index += 1
            }
            index += 1
            guard !skipped, language == "sh" || language == "toml" else { continue }
            let text = body.joined(separator: "\n").replacingOccurrences(of: "https://soporte.example.mx", with: "http://127.0.0.1")
            steps.append(Step(language: language, text: text))
        }
        return steps
    }

    /// What a webmaster types into `belenus.toml` for a `toml` block.
    static func settings(_ toml: String) throws -> [String: ConfigFile.Value] {
        var values: [String: ConfigFile.Value] = [:]
        func add(_ table: TOMLTable, prefix: String) {
            for key in table.keys {
                guard let value = table[key] else { continue }
                if let inner = value.table { add(inner, prefix: prefix + key + "."); continue }
                if let string = value.string { values[prefix + key] = .string(string) }
                if let int = value.int { values[prefix + key] = .int(int) }
                if let bool = value.bool { values[prefix + key] = .bool(bool) }
                if let array = value.array { values[prefix + key] = .strings(array.compactMap { $0.string }) }
            }
        }
        add(try TOMLTable(string: toml), prefix: "")
        return values
    }

    /// Debian's Apache as this machine had it before the guide's step 5, put back afterwards.
    struct ApacheState {
        let enabledModules: Set<String>
        let defaultSite: Bool

        static func enabled(_ kind: String, _ name: String) -> Bool { (try? PackageTests.run("/usr/sbin/a2query", [kind, name]).status) == 0 }

        init() {
            enabledModules = Set(["cgid", "headers"].filter { Self.enabled("-m", $0) })
            defaultSite = Self.enabled("-s", "000-default")
        }

        func restore() {
            _ = try? PackageTests.run("/usr/sbin/apache2ctl", ["stop"])
            _ = try? PackageTests.run("/usr/sbin/a2dissite", ["-q", "belenus"])
            try? FileManager.default.removeItem(atPath: "/etc/apache2/sites-available/belenus.conf")
            for module in ["cgid", "headers"] where !enabledModules.contains(module) {
                _ = try? PackageTests.run("/usr/sbin/a2dismod", ["-q", "-f", module])
            }
            if defaultSite { _ = try? PackageTests.run("/usr/sbin/a2ensite", ["-q", "000-default"]) }
        }
    }

    /// Debian's cron in the foreground, as systemd starts it, if this machine (a container) runs
    /// none: nil when one is running already.
    static func startCron() throws -> Process? {
        if try run("/usr/bin/pgrep", ["-x", "cron"]).status == 0 { return nil }
        let cron = Process()
        cron.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cron.arguments = ["python3", "-c", WebServer.cleanExec + "; os.execv(sys.argv[1], sys.argv[1:])", "/usr/sbin/cron", "-f"]
        cron.standardOutput = FileHandle.nullDevice
        cron.standardError = FileHandle.nullDevice
        try cron.run()
        return cron
    }

    @Test func theInstallGuideAsWrittenGivesASiteThatRunsByItself() throws {
        try #require(FileManager.default.fileExists(atPath: Self.package), "no \(Self.package): `make test` builds it")
        try #require(Self.modified(Self.package) >= Self.modified(CLI.binDir + "/belenus"), "\(Self.package) is older than the build: `make test`")
        try #require(getuid() == 0, "the guide's steps need root")
        let http = HTTPClient(port: 80)
        try #require(try http.get("/").status == 0, "something already answers on port 80: the guide's Apache needs it")

        // The guide's own folder: the Apache file it copies names it.
        let downloads = Scratch.path("descargas"), site = "/srv/soporte"
        try #require(!FileManager.default.fileExists(atPath: site), "\(site) exists: the guide makes it")
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.package, toPath: downloads + "/" + (Self.package as NSString).lastPathComponent)
        let apache = ApacheState()
        let cron = try Self.startCron()
        let backups = "/var/backups/belenus/soporte"
        defer {
            apache.restore()
            _ = try? Self.run("/usr/bin/dpkg", ["--purge", "belenus"])
            if let cron {
                cron.terminate()
                cron.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: backups)
            try? FileManager.default.removeItem(atPath: site)
            rmdir("/var/backups/belenus")  // only if now empty
        }

        // The guide, step by step.
        let smtpPort = try Ports.free()
        for step in try Self.guide() {
            if step.language == "toml" {
                try ConfigFile.update(site + "/belenus.toml", try Self.settings(step.text))
                continue
            }
            let result = try Self.shell(step.text, stdin: Self.adminPassword + "\n", directory: downloads)
            try #require(result.status == 0, "docs/install.md:\n\(step.text)\n\(result.output)")
            if step.text.hasPrefix("belenus doctor") {
                #expect(!result.output.contains("FAIL"), "\(result.output)")
            }
        }
        // The one setting of this machine: its mail goes through msmtp to an SMTP server of the test's.
        try ConfigFile.update(site + "/belenus.toml", [
            "mail.sendmail_command": .string("/usr/bin/msmtp --host=127.0.0.1 --port=\(smtpPort) --auth=off --tls=off --from=soporte@example.mx -t"),
        ])
        try Self.run("/bin/chown", ["www-data:www-data", site + "/belenus.toml"])

        // What the package put in place.
        let ldd = try Self.run("/usr/bin/ldd", ["/usr/bin/belenus"])
        #expect(ldd.status == 0 && !ldd.output.contains("swift") && !ldd.output.contains("Foundation"), "\(ldd.output)")
        for binary in ["/usr/lib/cgi-bin/belenus-gateway", "/usr/lib/belenus/belenus-gateway-full"] {
            let kind = try ELFKind(path: binary)  // stripped by `make install`: still a static PIE
            #expect(kind.positionIndependent && !kind.hasInterpreter, "\(binary): \(kind)")
        }
        let man = try Self.run("/usr/bin/man", ["-w", "belenus-build"])
        #expect(man.status == 0 && man.output.contains("/usr/share/man/man1/belenus-build.1"), "\(man.output)")
        for path in ["/usr/share/doc/belenus/copyright", "/usr/share/doc/belenus/install.md", "/usr/share/doc/belenus/changelog.gz",
                     "/etc/cron.d/belenus", "/usr/lib/belenus/belenus-cron"] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
        }
        let conffiles = try Self.run("/usr/bin/dpkg-query", ["-W", "-f=${Conffiles}", "belenus"])
        #expect(conffiles.output.contains("/etc/cron.d/belenus") && conffiles.output.contains("/etc/belenus/sites"), "\(conffiles.output)")

        // A client's journey through the guide's Apache; the mail server is down at first.
        let belenus = { (arguments: [String], stdin: String) throws in
            let result = try Self.run("/usr/sbin/runuser", ["-u", "www-data", "--", "/usr/bin/belenus"] + arguments + ["--site", site], stdin: stdin)
            try #require(result.status == 0, "belenus \(arguments.joined(separator: " ")): \(result.output)")
        }
        try belenus(["org", "add", "Acme S.A."], "")
        try belenus(["user", "add", "tecnico", "--name", "Téc Uno", "--email", "tec@soporte.mx", "--role", "tech"], "clave-del-tecnico\n")
        try belenus(["user", "add", "ana", "--name", "Ana Pérez", "--email", "ana@acme.mx", "--role", "client", "--org", "Acme S.A."],
                    "clave-de-ana-1\n")
        try belenus(["product", "add", "Nómina", "--versions", "2025.1", "--responsible", "tecnico"], "")
        #expect(try http.get("/").status == 200)
        _ = try http.login("admin", Self.adminPassword)
        let ana = try http.login("ana", "clave-de-ana-1")
        let file = Scratch.path("captura", suffix: ".txt")
        try "error en línea 42".write(toFile: file, atomically: true, encoding: .utf8)
        let open = try http.post("/cgi-bin/belenus/tickets", as: ana, form: [
            "title": "No timbra", "product": "Nómina", "version": "2025.1", "body": "Falla al timbrar.",
        ], file: file)
        #expect(open.status == 303 && open.header("Location") == "/cgi-bin/belenus/tickets/1", "\(open.headers)\(open.body)")
        #expect(try http.get("/cgi-bin/belenus/tickets/1/files/1", as: ana).body == "error en línea 42")
        let tech = try http.login("tecnico", "clave-del-tecnico")
        #expect(try http.post("/cgi-bin/belenus/tickets/1/comments", as: tech, form: ["body": "Renueve el sello."]).status == 303)
        // Back on the support team (a ticket waiting on its client keeps its clock paused), with a
        // deadline at the start of a coming minute: cron's build at or after it paints it overdue.
        let deadline = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + 20) / 60).rounded(.up) * 60)
        let due = ISO8601DateFormatter().string(from: deadline)
        let update = try http.post("/cgi-bin/belenus/tickets/1/update", as: tech, form: ["due_at": due, "waiting_on": "support"])
        #expect(update.status == 303, "\(update.body)")
        let before = try http.get("/cgi-bin/belenus/tickets/1", as: ana)
        #expect(before.status == 200 && before.body.contains("sla-due_soon") && !before.body.contains("sla-overdue"), "\(before.body)")
        let failed = try GatewaySite.sqlite(root: site, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts > 0")
        #expect(failed != "0", "the gateway tried to send, and failed: the mail server is down")

        // The mail server comes up; nobody runs a command; cron sends and repaints.
        let sink = try RealMailTests.SMTPSink(port: smtpPort, folder: Scratch.path("recibido"))
        defer { sink.stop() }
        var delivered = false, overdue = false
        for _ in 0..<110 where !(delivered && overdue) {
            Thread.sleep(forTimeInterval: 2)
            delivered = (try? GatewaySite.sqlite(root: site, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")) == "0"
            overdue = (try? http.get("/cgi-bin/belenus/tickets/1", as: ana))?.body.contains("sla-overdue") ?? false
        }
        let queued = try GatewaySite.sqlite(root: site, "SELECT recipients, attempts, last_error FROM outbox WHERE sent_at IS NULL")
        #expect(delivered, "queued: \(queued)")
        #expect(overdue, "the ticket's page is not painted overdue two minutes after its deadline (\(due))")
        let toAna = sink.messages.filter { $0.recipients.contains("ana@acme.mx") }
        #expect(toAna.contains { $0.text.contains("Renueve el sello.") }, "\(sink.messages.map(\.recipients))")

        // The nightly backup, and operations.md's restore drill from it.
        let nightly = try Self.run("/usr/lib/belenus/belenus-cron", ["nightly"])
        #expect(nightly.status == 0 && nightly.output.isEmpty, "\(nightly.output)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? []
        #expect(written.count == 1 && written[0].hasSuffix(".tar.gz"), "\(written)")
        let folder = try FileManager.default.attributesOfItem(atPath: backups)
        #expect(folder[.ownerAccountName] as? String == "www-data" && (folder[.posixPermissions] as? Int) == 0o700)
        if let backup = written.first {
            let drill = Scratch.path("simulacro")
            let restored = try Self.run("/usr/bin/belenus", ["restore", "--site", drill, backups + "/" + backup])
            #expect(restored.status == 0, "\(restored.output)")
            #expect(try GatewaySite.sqlite(root: drill, "SELECT COUNT(*) FROM tickets") == "1")
            try? FileManager.default.removeItem(atPath: drill)
        }

        // Removed: the programs go, the site's data stays.
        apache.restore()
        #expect(try Self.run("/usr/bin/dpkg", ["-r", "belenus"]).status == 0)
        for path in ["/usr/bin/belenus", "/usr/lib/cgi-bin/belenus-gateway", "/usr/lib/belenus/belenus-gateway-full"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: "/etc/cron.d/belenus"), "a removed package keeps its conffiles until purged")
        #expect(FileManager.default.fileExists(atPath: site + "/var/belenus.sqlite3"))
    }
}
