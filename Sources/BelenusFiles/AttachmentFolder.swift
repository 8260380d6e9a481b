import BelenusCore
import Foundation

/// `var/attachments/`: files named by their SHA-256, stored before the transaction that names
/// them commits. A request killed in between leaves a file no row names; `belenus build` removes
/// such files, and `.lock` keeps it from removing one a transaction is about to name: a request
/// holds it shared from storing its files to its commit, the sweep exclusive.
public struct AttachmentFolder: Sendable {
    public let path: String

    public init(paths: SitePaths) { path = paths.attachments }

    /// Runs `body` (store the files, commit) with the folder's lock shared.
    public func storing<T>(_ body: () throws -> T) throws -> T {
        let lock = try open(LOCK_SH)
        defer { close(lock) }  // released also when the process dies
        return try body()
    }

    /// Removes the files and half-written temporary files that no row names, unless a request
    /// is storing files right now (then the next build does). `referenced` is read after the
    /// lock is held. Returns how many were removed.
    public func removeUnreferenced(_ referenced: () throws -> Set<String>) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let lock = try open(LOCK_EX | LOCK_NB, busyIsOK: true)
        guard lock >= 0 else { return 0 }
        defer { close(lock) }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0 != ".lock" }
        let keep = try referenced()
        let orphans = names.filter { !keep.contains($0) }
        for name in orphans { unlink("\(path)/\(name)") }
        return orphans.count
    }

    /// The lock file, flocked as `operation`; -1 when it is held and `busyIsOK`.
    private func open(_ operation: Int32, busyIsOK: Bool = false) throws -> Int32 {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = path + "/.lock"
        let fd = Foundation.open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SiteError(file: file, "cannot open: \(String(cString: strerror(errno)))") }
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if busyIsOK && code == EWOULDBLOCK { return -1 }
            throw SiteError(file: file, "cannot lock: \(String(cString: strerror(code)))")
        }
        return fd
    }
}
