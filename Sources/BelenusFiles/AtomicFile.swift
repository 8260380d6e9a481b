import BelenusCore
import BelenusStore
import Foundation

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

    /// Writes `bytes` to a temporary file, then renames it to `path`. The folders are made only
    /// when the rename finds them missing (a `mkdir` and `stat` per page cost more than the page).
    public static func write(_ bytes: [UInt8], to path: String, temporaryFolder: String) throws {
        let name = path.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? "page"
        let temp = "\(temporaryFolder)/\(name).\(getpid()).\(counter.next())"
        try writeTemporary(bytes, at: temp, in: temporaryFolder, permissions: 0o644, for: path)
        CrashPoint.reach("site.page-before-rename")
        var renamed = rename(temp, path) == 0
        if !renamed, errno == ENOENT {  // the page's folder does not exist yet
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) { try? makeFolders(String(path[..<slash])) }
            renamed = rename(temp, path) == 0
        }
        guard renamed else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw SiteError(file: path, "cannot write: \(reason)")
        }
    }

    /// Creates `path` with `bytes` unless a file is there already (a content-addressed store:
    /// the same name means the same bytes); returns whether this call created it. Written to a
    /// temporary file beside it, then `link(2)`, which fails when another writer won the race:
    /// then theirs is ours. Never a half-written file at `path`.
    public static func createUnlessPresent(_ bytes: [UInt8], at path: String, permissions: mode_t = 0o640) throws -> Bool {
        if access(path, F_OK) == 0 { return false }
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { throw SiteError(file: path, "not a path") }
        let folder = String(path[..<slash])
        let temp = "\(folder)/.\(String(path[path.utf8.index(after: slash)...])).\(getpid()).\(counter.next()).tmp"
        try writeTemporary(bytes, at: temp, in: folder, permissions: permissions, for: path)
        defer { unlink(temp) }
        if link(temp, path) == 0 { return true }
        guard errno == EEXIST else { throw SiteError(file: path, "cannot write: \(String(cString: strerror(errno)))") }
        return false
    }

    /// `bytes` in a new file `temp` (never an existing one), its `folder` made if missing; on a
    /// failure the file is gone and the error names `path`, the file it was for.
    private static func writeTemporary(_ bytes: [UInt8], at temp: String, in folder: String, permissions: mode_t, for path: String) throws {
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        if fd < 0, errno == ENOENT {  // the first file of its kind: no folder yet
            try makeFolders(folder)
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        }
        guard fd >= 0 else { throw SiteError(file: temp, "cannot create: \(String(cString: strerror(errno)))") }
        let ok = FileDescriptor.writeAll(fd, bytes)
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
