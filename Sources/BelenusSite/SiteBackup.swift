import BelenusCore
import BelenusStore
import Foundation

/// `belenus backup` and `belenus restore`: a site in one tar file, taken while the gateway
/// writes. What it holds: a snapshot of the database (`Store.snapshot`, consistent as of one
/// moment), then the files that snapshot may name (attachments, published KB articles; both are
/// written before the commit that names them and never changed after), and the site's own files
/// (`belenus.toml`, `content/`, `site-templates/`). Not `output/` (the build makes it again),
/// `var/mail/` (the file transport's copies of sent mail) or `var/log/`.
public enum SiteBackup {
    /// The first member of every backup: what `restore` looks for.
    static let marker = "belenus-backup.txt"

    public struct Summary: Sendable {
        public var tickets: Int
        public var attachments: Int
        public var bytes: Int
    }

    /// Writes the backup of the site at `paths` to `file` (`.tar`, or compressed by its suffix:
    /// `.tar.gz`, `.tar.xz`…), under another name until it is complete.
    public static func create(_ paths: SitePaths, store: Store, to file: String, progress: (String) -> Void = { _ in }) throws -> Summary {
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: target) else { throw SiteError(file: file, "already exists: name a new file") }
        let folder = (target as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: folder) else { throw SiteError(file: file, "no such folder: \(folder)") }
        let staging = "\(folder)/.belenus-backup-\(getpid())"
        try FileManager.default.createDirectory(atPath: staging + "/var", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: staging) }

        progress("snapshot of the database")
        try store.snapshot(to: staging + "/var/belenus.sqlite3")
        let tickets = try Store(path: staging + "/var/belenus.sqlite3").ticketCount()
        let made = ISO8601DateFormatter().string(from: Date())
        try Data("Belenus backup 1\nmade \(made)\ntickets \(tickets)\n".utf8).write(to: URL(fileURLWithPath: "\(staging)/\(marker)"))
        // The snapshot was opened: drop what opening left beside it (its WAL is empty).
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(staging)/var/belenus.sqlite3\(suffix)") }

        let siteFiles = ["belenus.toml", "content", "site-templates", "var/attachments", "var/kb"]
            .filter { FileManager.default.fileExists(atPath: "\(paths.root)/\($0)") }
        let attachments = (try? FileManager.default.contentsOfDirectory(atPath: paths.attachments).filter { !$0.hasPrefix(".") }) ?? []
        progress("archiving \(attachments.count) attachments and the site's files")
        // Its suffix kept: tar picks the compression by it.
        let partial = "\(folder)/.partial-\(getpid())-\((target as NSString).lastPathComponent)"
        do {
            try tar(["--create", "--auto-compress", "--file", partial, "--directory", staging, marker, "var/belenus.sqlite3",
                     "--directory", paths.root, "--exclude=.*.tmp"] + siteFiles, on: file)
            guard rename(partial, target) == 0 else { throw SiteError(file: file, "cannot rename: \(String(cString: strerror(errno)))") }
        } catch {
            unlink(partial)
            throw error
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        return Summary(tickets: tickets, attachments: attachments.count, bytes: bytes)
    }

    /// Unpacks the backup `file` into `root`, a folder that does not exist yet or is empty, and
    /// checks the database. On any error the folder is left as it was found.
    public static func restore(_ file: String, into root: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: file) else { throw SiteError(file: file, "no such file") }
        let existed = FileManager.default.fileExists(atPath: root)
        if existed {
            let entries = try FileManager.default.contentsOfDirectory(atPath: root)
            guard entries.isEmpty else { throw SiteError(file: root, "is not empty: restore into a new folder") }
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        do {
            let members = try tar(["--list", "--file", file], on: file).split(separator: "\n")
            guard members.first == Substring(marker), members.contains("var/belenus.sqlite3") else {
                throw SiteError(file: file, "is not a Belenus backup (no \(marker) first)")
            }
            try tar(["--extract", "--file", file, "--directory", root, "--no-same-owner"], on: file)
            let paths = SitePaths(root: root)
            let store = try Store(path: paths.database)
            let check = try store.integrityCheck()
            guard check == "ok" else { throw SiteError(file: file, "the database fails its integrity check: \(check)") }
            try paths.prepareWritableFolders()
            try FileManager.default.removeItem(atPath: "\(root)/\(marker)")
            let tickets = try store.ticketCount()
            let attachments = (try? FileManager.default.contentsOfDirectory(atPath: paths.attachments).count) ?? 0
            return Summary(tickets: tickets, attachments: attachments, bytes: 0)
        } catch {
            if existed {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] { try? FileManager.default.removeItem(atPath: "\(root)/\(entry)") }
            } else {
                try? FileManager.default.removeItem(atPath: root)
            }
            throw error
        }
    }

    /// Runs GNU tar on `file`; its first line of errors becomes the error.
    @discardableResult
    static func tar(_ arguments: [String], on file: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar"] + arguments
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            var reason = String(decoding: err, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
            if reason.hasPrefix("tar: ") { reason.removeFirst(5) }
            throw SiteError(file: file, "tar: \(reason)")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
