import BelenusCore
import BelenusStore
import Foundation
import Synchronization

/// Writes a file so that readers see the old bytes or the new, never half (SPEC §6):
/// a temporary file, then rename(2), which replaces atomically.
///
/// The temporary files live in one folder of their own (`output/.tmp/`, on the output's file
/// system, outside what the web server serves): a writer killed mid-file leaves its half there,
/// never beside a page, and `belenus build` empties the folder under the build lock.
public enum AtomicFile {
    public static let temporaryFolderName = ".tmp"

    /// Tells the temporary files of one process's writers apart (threads of a build).
    private static let counter = Counter()
    /// This process's in the temporary files' names (asked once: a system call per page).
    private static let processID = getpid()

    /// Whether `write` keeps each file it replaces alive (a hard link in the temporary folder)
    /// until `removeDeferred()`, and those links.
    private static let replaced = Mutex<(deferring: Bool, links: [String])>((false, []))

    /// From now on in this process, the files `write` replaces are removed by `removeDeferred()`,
    /// not by the rename. The gateway's: it writes its pages under the build lock, where freeing
    /// a replaced page (its inode and blocks) made renames of 0.13 ms median and up to 20 ms
    /// under the lighttpd mix, while every other comment waited for the lock (docs/scaling.md,
    /// "Replaced pages").
    public static func deferRemovals() {
        replaced.withLock { $0.deferring = true }
    }

    /// A temporary file made ahead by `prepareTemporary(in:)`, which the next `write` into its
    /// folder fills instead of creating one.
    private static let prepared = Mutex<(folder: String, name: String, fd: Int32)?>(nil)

    /// Creates the temporary file of the next `write` into `temporaryFolder` now: the gateway's,
    /// before it takes the build lock. Creating a file was 0.07–0.5 ms (more on a file system
    /// without a journal, whose allocator steps over every inode freed in the last minutes), and
    /// under the lighttpd mix every other comment waited for it. Nothing when it cannot: `write`
    /// then creates its own.
    public static func prepareTemporary(in temporaryFolder: String) {
        let name = "\(temporaryFolder)/next.\(processID).\(counter.next())"
        guard let fd = try? create(name, in: temporaryFolder, permissions: 0o644) else { return }
        let previous = prepared.withLock { state in defer { state = (temporaryFolder, name, fd) }; return state }
        if let previous {
            close(previous.fd)
            unlink(previous.name)
        }
    }

    /// Removes what this process put aside: the files `write` replaced since `deferRemovals()`
    /// (their last links) and a temporary file made ahead that no `write` used.
    public static func removeDeferred() {
        for link in replaced.withLock({ state in defer { state.links = [] }; return state.links }) { unlink(link) }
        if let unused = prepared.withLock({ state in defer { state = nil }; return state }) {
            close(unused.fd)
            unlink(unused.name)
        }
    }

    /// Writes `bytes` to a temporary file, then renames it to `path`. The folders are made only
    /// when the rename finds them missing (a `mkdir` and `stat` per page cost more than the page),
    /// or first with `new`: a file not written before, whose folder is likely missing too (a
    /// whole build's 12,000 pages each had a rename fail before their folder was made).
    public static func write(_ bytes: [UInt8], to path: String, temporaryFolder: String, new: Bool = false) throws {
        let temp: String
        if let ready = prepared.withLock({ state in state?.folder == temporaryFolder ? state.take() : nil }) {
            temp = ready.name
            try fill(ready.fd, with: bytes, at: temp, for: path)
        } else {
            let name = path.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? "page"
            temp = "\(temporaryFolder)/\(name).\(processID).\(counter.next())"
            try writeTemporary(bytes, at: temp, in: temporaryFolder, permissions: 0o644, for: path)
        }
        CrashPoint.reach("site.page-before-rename")
        if new, let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) { try makeFolders(String(path[..<slash])) }
        // A new page has no old file to keep: the link fails (ENOENT) and nothing is kept.
        let kept = replaced.withLock { $0.deferring } && link(path, temp + ".old") == 0 ? temp + ".old" : nil
        var renamed = rename(temp, path) == 0
        if !renamed, errno == ENOENT {  // the page's folder does not exist yet
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) { try? makeFolders(String(path[..<slash])) }
            renamed = rename(temp, path) == 0
        }
        guard renamed else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            if let kept { unlink(kept) }
            throw SiteError(file: path, "cannot write: \(reason)")
        }
        if let kept { replaced.withLock { $0.links.append(kept) } }
    }

    /// Creates `path` with `bytes` unless a file is there already (a content-addressed store:
    /// the same name means the same bytes); returns whether this call created it. Written to a
    /// temporary file beside it, then `link(2)`, which fails when another writer won the race:
    /// then theirs is ours. Never a half-written file at `path`.
    public static func createUnlessPresent(_ bytes: [UInt8], at path: String, permissions: mode_t = 0o640) throws -> Bool {
        if access(path, F_OK) == 0 { return false }
        let (folder, temp) = try temporaryBeside(path)
        try writeTemporary(bytes, at: temp, in: folder, permissions: permissions, for: path)
        defer { unlink(temp) }
        if link(temp, path) == 0 { return true }
        guard errno == EEXIST else { throw SiteError(file: path, "cannot write: \(String(cString: strerror(errno)))") }
        return false
    }

    /// Replaces the file at `path`, or creates it, for good: a temporary file beside it, flushed
    /// to the disk, then renamed over it. It keeps the replaced file's permissions (a new one gets
    /// 0644 less the umask). For the files people edit, `belenus.toml` and the theme; the pages,
    /// which a build writes again, go through `write` without the flush.
    public static func replace(_ bytes: [UInt8], at path: String) throws {
        let (folder, temp) = try temporaryBeside(path)
        var old = stat()
        let kept: mode_t? = stat(path, &old) == 0 ? old.st_mode & 0o7777 : nil
        try writeTemporary(bytes, at: temp, in: folder, permissions: kept ?? 0o644, for: path, flushed: true)
        // The mode exactly as it was: `create`'s is less the umask.
        guard kept.map({ chmod(temp, $0) == 0 }) ?? true, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw SiteError(file: path, "cannot write: \(reason)")
        }
    }

    /// A hidden temporary file's path beside `path` (same folder, same file system), and that folder.
    private static func temporaryBeside(_ path: String) throws -> (folder: String, temp: String) {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { throw SiteError(file: path, "not a path") }
        let folder = String(path[..<slash])
        return (folder, "\(folder)/.\(String(path[path.utf8.index(after: slash)...])).\(processID).\(counter.next()).tmp")
    }

    /// `bytes` in a new file `temp` (never an existing one), its `folder` made if missing; on a
    /// failure the file is gone and the error names `path`, the file it was for.
    private static func writeTemporary(
        _ bytes: [UInt8], at temp: String, in folder: String, permissions: mode_t, for path: String, flushed: Bool = false
    ) throws {
        try fill(try create(temp, in: folder, permissions: permissions), with: bytes, at: temp, for: path, flushed: flushed)
    }

    /// A new file `temp` (never an existing one), open for writing, its `folder` made if missing.
    private static func create(_ temp: String, in folder: String, permissions: mode_t) throws -> Int32 {
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        if fd < 0, errno == ENOENT {  // the first file of its kind: no folder yet
            try makeFolders(folder)
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        }
        guard fd >= 0 else { throw SiteError(file: temp, "cannot create: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// `bytes` written to the new file `temp` open at `fd`, which is closed; on a failure the
    /// file is gone and the error names `path`, the file it was for.
    /// With `flushed`, on the disk before it is closed.
    private static func fill(_ fd: Int32, with bytes: [UInt8], at temp: String, for path: String, flushed: Bool = false) throws {
        let ok = FileDescriptor.writeAll(fd, bytes) && (!flushed || fsync(fd) == 0)
        let closed = close(fd) == 0
        guard ok, closed else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw SiteError(file: path, "cannot write: \(reason)")
        }
    }

    /// `mkdir -p`: makes `folder` and the folders above it that are missing, by system calls
    /// (FileManager's `createDirectory` checked each level with `stat` first: 4 % of a full build).
    public static func makeFolders(_ folder: String) throws {
        if mkdir(folder, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")), slash != folder.utf8.startIndex else {
            throw SiteError(file: folder, "cannot create the folder: \(String(cString: strerror(errno)))")
        }
        try makeFolders(String(folder[..<slash]))
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
            throw SiteError(file: folder, "cannot create the folder: \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes what killed writers left in `temporaryFolder`. Only under the build lock.
    public static func removeLeftovers(in temporaryFolder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder)) ?? [] {
            unlink("\(temporaryFolder)/\(name)")
        }
    }
}

/// A number that goes up by one each time, shared by threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
