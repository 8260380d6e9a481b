import BelenusBytes
import BelenusFiles
import BelenusStore
import Foundation

/// `belenus doctor`: what a webmaster checks when a site does not work (SPEC §4), one finding a
/// line, each problem with its fix. It reads only: nothing is created, migrated or written.
struct SiteDoctor {
    struct Finding: Sendable, Equatable {
        var ok: Bool
        /// What was checked: "config", "time zone", "database", a folder, "gateway", "mail".
        var subject: String
        /// What was found and, when it is wrong, what to do.
        var detail: String
        /// Works, but not as a site in production should (a fresh `init`'s loopback `base_url`,
        /// mail only written to files): said, without failing the check.
        var warning = false

        var line: String { (warning ? "warn  " : ok ? "ok    " : "fix   ") + subject + ": " + detail }
    }

    let paths: SitePaths
    /// The account the web server runs the gateway as (Debian's `www-data`).
    let webUser: String
    /// Whether to ask the web server for the gateway's login page.
    let checkGateway: Bool
    /// This release's theme (path in a site → bytes): a site made by an older release lacks the
    /// templates and strings of the pages added since (its theme was copied at `init`).
    let releaseTheme: [(path: String, bytes: [UInt8])]

    init(paths: SitePaths, webUser: String = "www-data", checkGateway: Bool = true,
         releaseTheme: [(path: String, bytes: [UInt8])] = []) {
        self.paths = paths
        self.webUser = webUser
        self.checkGateway = checkGateway
        self.releaseTheme = releaseTheme.filter { $0.path.hasPrefix("site-templates/") }
    }

    func examine() -> [Finding] {
        var findings: [Finding] = []
        func ok(_ subject: String, _ detail: String) { findings.append(Finding(ok: true, subject: subject, detail: detail)) }
        func fix(_ subject: String, _ detail: String) { findings.append(Finding(ok: false, subject: subject, detail: detail)) }
        func warn(_ subject: String, _ detail: String) {
            findings.append(Finding(ok: true, subject: subject, detail: detail, warning: true))
        }

        // The config, and its time zone apart: an unknown zone is the commonest mistake in it.
        var config: SiteConfig?
        do {
            config = try SiteConfig.load(path: paths.config)
            ok("config", FileManager.default.fileExists(atPath: paths.config) ? "belenus.toml reads" : "no belenus.toml: the defaults")
        } catch {
            fix("config", "\(error); mend belenus.toml")
        }
        let zone = config?.timezone ?? SiteConfig.rawText(key: "timezone", path: paths.config) ?? "UTC"
        if SiteConfig.isKnownTimeZone(zone) {
            ok("time zone", zone)
        } else {
            fix("time zone", "\"\(zone)\" is not a time zone name; set timezone in belenus.toml to one such as "
                + "\"America/Mexico_City\" (`timedatectl list-timezones` lists them)")
        }

        // The database: there, whole, of this binary's schema.
        let database = paths.database
        if !FileManager.default.fileExists(atPath: database) {
            fix("database", "\(database) is missing; `belenus build --site \(paths.root)` makes an empty one "
                + "(or `belenus restore` a backup)")
        } else {
            do {
                let health = try DatabaseHealth.inspect(path: database)
                if health.integrity != "ok" {
                    fix("database", "damaged (\(health.integrity)); "
                        + "restore the last backup with `belenus restore FILE --site \(paths.root)`")
                } else if health.newerThanThisBinary {
                    fix("database", "made by a newer belenus than this one; install that version")
                } else if !health.pendingMigrations.isEmpty {
                    ok("database", "whole; \(health.pendingMigrations.count) migration(s) to apply, which the next build or request does")
                } else {
                    ok("database", "whole, schema current")
                    // New tickets count in it: without it, every new ticket is refused.
                    if let calendar = config?.calendar, !health.calendars.contains(calendar) {
                        fix("calendar", "[tickets] calendar names \"\(calendar)\", which is not in the database; "
                            + "`belenus calendar add \(calendar) --zone … --hours …`, or name one of `belenus calendar list`")
                    } else if let calendar = config?.calendar {
                        ok("calendar", "new tickets count in \"\(calendar)\"")
                    }
                }
                if health.importUnfinished {
                    if paths.importRunning {
                        ok("import", "running: its tickets arrive in batches")
                    } else {
                        fix("import", "one was cut short: part of its tickets are there, with the bulk settings of the search index "
                            + "(and, for a site's first import, without the ticket indexes); "
                            + "`belenus import FILE --site \(paths.root)` undoes it first, then imports FILE")
                    }
                }
            } catch let busy as StoreBusy {
                if paths.importRunning {
                    ok("database", "a site's first import has it alone until it ends (the gateway answers 503 meanwhile)")
                    ok("import", "running")
                } else {
                    fix("database", "busy: another process holds it (\(busy.reason)); "
                        + "run doctor again, or find that process (`fuser \(database)`)")
                }
            } catch {
                fix("database", "\(database) does not open as SQLite (\(error)); restore the last backup")
            }
        }

        // What the web server's account must write: the database and its WAL, var/, output/.
        if let account = Account(name: webUser) {
            let writable = [paths.var_, paths.attachments, paths.mail, paths.publishedKB, paths.output,
                            paths.output + "/public", paths.output + "/private"]
            for folder in writable {
                let name = String(folder.dropFirst(paths.root.count + 1))
                if !FileManager.default.fileExists(atPath: folder) {
                    fix(name, "missing; `mkdir -p \(folder) && chown \(webUser) \(folder)`")
                } else if !account.canWrite(folder) {
                    fix(name, "\(webUser) cannot write it; `chown -R \(webUser) \(folder)`")
                } else {
                    ok(name, "\(webUser) writes it")
                }
            }
            for file in [database, database + "-wal", database + "-shm"] where FileManager.default.fileExists(atPath: file) {
                let name = String(file.dropFirst(paths.root.count + 1))
                if account.canWrite(file) {
                    ok(name, "\(webUser) writes it")
                } else {
                    fix(name, "\(webUser) cannot write it: every change would fail; `chown \(webUser) \(file)`")
                }
            }
        } else {
            fix("web server user", "there is no user '\(webUser)' here; name the one your web server runs CGI as with --web-user")
        }

        // The gateway where the pages' forms send people, and the mail command.
        if let config {
            // Every link in mail and the login's origin check are made from base_url.
            let host = URLComponents(string: config.baseURL)?.host?.lowercased() ?? ""
            if ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127.") {
                warn("base_url", "\"\(config.baseURL)\" is this machine's own address: the links in mail and the login's origin "
                    + "check use it; set base_url in belenus.toml to the address people open, such as \"https://soporte.example.mx\"")
            } else {
                ok("base_url", config.baseURL)
            }
            if checkGateway { findings.append(gatewayFinding(config)) }
            switch config.mailTransport {
            case .file:
                warn("mail", "written to \(paths.mail) ([mail] transport = \"file\"): nothing is sent; set transport = \"sendmail\" "
                    + "and sendmail_command (docs/hosting.md) for real mail")
            case .sendmail:
                let program = config.sendmailCommand.split(separator: " ").first.map(String.init) ?? ""
                if access(program, X_OK) == 0 {
                    ok("mail", "\(program) is there")
                } else {
                    fix("mail", "sendmail_command names \"\(program)\", which is not an executable here; "
                        + "install one (`apt install msmtp-mta`) or mend sendmail_command")
                }
            }
        }
        findings += themeFindings()
        return findings
    }

    /// The templates and UI strings this release's theme has and the site's lacks.
    func themeFindings() -> [Finding] {
        guard !releaseTheme.isEmpty else { return [] }
        var missingFiles: [String] = [], missingKeys: [String] = []
        for file in releaseTheme {
            let path = paths.root + "/" + file.path
            guard let own = FileManager.default.contents(atPath: path) else {
                missingFiles.append(file.path)
                continue
            }
            if file.path.hasSuffix(".toml") {
                do {
                    missingKeys += try ThemeDefaults.missingStrings(site: Array(own), release: file.bytes, file: path).map {
                        "\(file.path): \($0.key)"
                    }
                } catch {
                    return [Finding(ok: false, subject: "theme", detail: "\(error)")]
                }
            }
        }
        guard !missingFiles.isEmpty || !missingKeys.isEmpty else {
            return [Finding(ok: true, subject: "theme", detail: "has every template and string of this release")]
        }
        let all = missingFiles + missingKeys
        let listed = all.prefix(6).joined(separator: ", ") + (all.count > 6 ? ", …" : "")
        let detail = "this release's pages need \(missingFiles.count) templates and \(missingKeys.count) strings the site's theme "
            + "lacks (\(listed)): `belenus theme update` adds them and keeps your edits"
        return [Finding(ok: false, subject: "theme", detail: detail)]
    }

    /// Asks `base_url` + `gateway_path` + `/login` over HTTP (not HTTPS: said so).
    func gatewayFinding(_ config: SiteConfig) -> Finding {
        let url = config.baseURL + config.gatewayPath + "/login"
        guard url.hasPrefix("http://") else {
            return Finding(ok: true, subject: "gateway", detail: "\(url) not asked (only http:// is checked)")
        }
        switch HTTPProbe.status(of: url) {
        case .success(200):
            return Finding(ok: true, subject: "gateway", detail: "\(url) answers")
        case .success(let status):
            return Finding(
                ok: false, subject: "gateway",
                detail: "\(url) answers \(status), not the login page; install belenus-gateway where gateway_path points (docs/hosting.md)")
        case .failure(let reason):
            return Finding(
                ok: false, subject: "gateway",
                detail: "nothing answered at \(url) (\(reason)); "
                    + "is the web server running, with the gateway at gateway_path? (docs/hosting.md)")
        }
    }
}

/// A local account and what it may write, by the permission bits (root writes everything).
struct Account {
    let uid: uid_t
    let groups: Set<gid_t>

    init?(name: String) {
        guard let entry = getpwnam(name) else { return nil }
        uid = entry.pointee.pw_uid
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: 64)
        if getgrouplist(name, entry.pointee.pw_gid, &list, &count) < 0 { count = 0 }
        groups = Set(list.prefix(Int(count))).union([entry.pointee.pw_gid])
    }

    /// Write access to `path`, and passage through every folder above it.
    func canWrite(_ path: String) -> Bool {
        guard uid != 0 else { return true }
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty && folder != "/" {
            guard allows(folder, S_IXUSR, S_IXGRP, S_IXOTH) else { return false }
            folder = (folder as NSString).deletingLastPathComponent
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let isFolder = (info.st_mode & S_IFMT) == S_IFDIR
        return allows(path, S_IWUSR, S_IWGRP, S_IWOTH) && (!isFolder || allows(path, S_IXUSR, S_IXGRP, S_IXOTH))
    }

    private func allows(_ path: String, _ user: mode_t, _ group: mode_t, _ other: mode_t) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        if info.st_uid == uid { return info.st_mode & user != 0 }
        if groups.contains(info.st_gid) { return info.st_mode & group != 0 }
        return info.st_mode & other != 0
    }
}

/// One HTTP/1.0 GET over a socket, for the doctor: the status code, or why there is none.
enum HTTPProbe {
    enum Outcome { case success(Int), failure(String) }

    static func status(of url: String, timeout: Int = 3) -> Outcome {
        let rest = url.dropFirst("http://".count)
        let hostPort = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(hostPort.count)
        let parts = hostPort.split(separator: ":", maxSplits: 1)
        let host = String(parts.first ?? "127.0.0.1"), port = parts.count == 2 ? String(parts[1]) : "80"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &found) == 0, let address = found else { return .failure("\(host) does not resolve") }
        defer { freeaddrinfo(found) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard fd >= 0 else { return .failure("no socket") }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return .failure(String(cString: strerror(errno)))
        }
        let request = Array("GET \(path.isEmpty ? "/" : path) HTTP/1.0\r\nHost: \(hostPort)\r\nConnection: close\r\n\r\n".utf8)
        guard FileDescriptor.writeAll(fd, request) else { return .failure(String(cString: strerror(errno))) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return .failure("no answer") }
        // "HTTP/1.1 200 OK", read by byte: the answer is the server's text, not ours.
        let line = buffer.prefix(count)
        guard line.starts(with: Array("HTTP/".utf8)), let space = line.firstIndex(of: 0x20), space + 4 <= line.count,
              let status = Int(String(decoding: line[(space + 1)..<(space + 4)], as: UTF8.self)) else { return .failure("not HTTP") }
        return .success(status)
    }
}
