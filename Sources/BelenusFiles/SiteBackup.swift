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

    /// Restores the backup `file` into `root`: a folder that does not exist yet or is empty
    /// gets the whole site (its files too); an existing site (it has `belenus.toml`) gets the
    /// backup's data in place of its own (database, attachments, published articles), keeps
    /// its own files, and loses its `output/`, which described the old data. Either way the
    /// database is checked first, and on any error `root` is left as it was found. Stop the
    /// gateway of an existing site while restoring into it.
    public static func restore(_ file: String, into root: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: file) else { throw SiteError(file: file, "no such file") }
        let existed = FileManager.default.fileExists(atPath: root)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let paths = SitePaths(root: root)
        let intoSite = !entries.isEmpty
        guard !intoSite || FileManager.default.fileExists(atPath: paths.config) else {
            throw SiteError(file: root, "is neither empty nor a site (no belenus.toml): restore into a new folder or a site")
        }
        // Unpacked and checked aside first: in the new folder itself, or beside an existing site's data.
        let staging = intoSite ? "\(paths.var_)/.restore-\(getpid())" : root
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        do {
            let members = try tar(["--list", "--file", file], on: file).split(separator: "\n")
            guard members.first == Substring(marker), members.contains("var/belenus.sqlite3") else {
                throw SiteError(file: file, "is not a Belenus backup (no \(marker) first)")
            }
            try tar(["--extract", "--file", file, "--directory", staging, "--no-same-owner"], on: file)
            try FileManager.default.removeItem(atPath: "\(staging)/\(marker)")
            let database = "\(staging)/var/belenus.sqlite3"
            let check = try Store(path: database).integrityCheck()
            guard check == "ok" else { throw SiteError(file: file, "the database fails its integrity check: \(check)") }
        } catch {
            if intoSite || !existed {
                try? FileManager.default.removeItem(atPath: staging)
            } else {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                    try? FileManager.default.removeItem(atPath: "\(root)/\(entry)")
                }
            }
            throw error
        }
        if intoSite {
            try replaceData(of: paths, with: "\(staging)/var")
            try? FileManager.default.removeItem(atPath: staging)
        }
        try paths.prepareWritableFolders()
        let store = try Store(path: paths.database)
        // Its page records describe the backed-up site's output, not this one's.
        try store.forgetPageRecords()
        let attachments = (try? FileManager.default.contentsOfDirectory(atPath: paths.attachments).filter { !$0.hasPrefix(".") }.count) ?? 0
        return Summary(tickets: try store.ticketCount(), attachments: attachments, bytes: 0)
    }

    /// Puts the restored database, attachments and published articles in place of the site's
    /// own, and empties `output/`. The old WAL goes before the new database comes: SQLite would
    /// otherwise replay it into a file it does not belong to.
    static func replaceData(of paths: SitePaths, with restored: String) throws {
        let fm = FileManager.default
        for suffix in ["-wal", "-shm"] { unlink(paths.database + suffix) }
        for suffix in ["", "-wal"] where fm.fileExists(atPath: "\(restored)/belenus.sqlite3\(suffix)") {
            guard rename("\(restored)/belenus.sqlite3\(suffix)", paths.database + suffix) == 0 else {
                throw SiteError(file: paths.database, "cannot replace: \(String(cString: strerror(errno)))")
            }
        }
        for folder in [paths.attachments, paths.publishedKB] {
            let name = (folder as NSString).lastPathComponent
            try? fm.removeItem(atPath: folder)
            if fm.fileExists(atPath: "\(restored)/\(name)") { try fm.moveItem(atPath: "\(restored)/\(name)", toPath: folder) }
        }
        try? fm.removeItem(atPath: paths.output)
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
            var reason =
                String(decoding: err, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
            if reason.hasPrefix("tar: ") { reason.removeFirst(5) }
            throw SiteError(file: file, "tar: \(reason)")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
