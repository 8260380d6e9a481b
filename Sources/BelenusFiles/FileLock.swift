import BelenusCore
import Foundation

/// The one lock helper: `flock(2)` on a lock file, held while `body` runs and released when it
/// returns, throws, or the process dies (closing the file releases it). Used for the build lock,
/// the attachment folder's sweep and the request log's rotation.
public enum FileLock {
    public enum Mode {
        /// Many holders at once (requests storing files).
        case shared
        /// One holder (a build, a sweep, a rotation).
        case exclusive

        var operation: Int32 { self == .shared ? LOCK_SH : LOCK_EX }
    }

    /// Waits for the lock, then runs `body`.
    public static func holding<T>(_ file: String, _ mode: Mode, _ body: () throws -> T) throws -> T {
        let fd = try openLockFile(file)
        defer { close(fd) }
        _ = try take(fd, mode.operation, file)
        return try body()
    }

    /// Runs `body` if the lock is free now; nil, without waiting, when another process holds it.
    public static func ifFree<T>(_ file: String, _ mode: Mode, _ body: () throws -> T) throws -> T? {
        let fd = try openLockFile(file)
        defer { close(fd) }
        guard try take(fd, mode.operation | LOCK_NB, file) else { return nil }
        return try body()
    }

    /// Runs `body` under the lock, waiting for it unless `giveUp`, asked once when the lock is
    /// busy, says not to: then nil, `body` not run.
    public static func holding<T>(
        _ file: String, _ mode: Mode, unlessBusyAnd giveUp: () throws -> Bool, _ body: () throws -> T
    ) throws -> T? {
        let fd = try openLockFile(file)
        defer { close(fd) }
        if try !take(fd, mode.operation | LOCK_NB, file) {
            guard try !giveUp() else { return nil }
            _ = try take(fd, mode.operation, file)
        }
        return try body()
    }

    /// Runs `body` once the lock is had, trying for it again on `DatabaseFile`'s schedule (every
    /// millisecond, then every 2 and 4) instead of waiting in `flock`: whoever waits there has it
    /// first.
    public static func holdingAfterWaiters<T>(_ file: String, _ mode: Mode, _ body: () throws -> T) throws -> T {
        let fd = try openLockFile(file)
        defer { close(fd) }
        var tries = 0
        while try !take(fd, mode.operation | LOCK_NB, file) {
            usleep(UInt32(DatabaseFile.pause(before: tries).sleep * 1000))
            tries += 1
        }
        return try body()
    }

    /// The lock file, opened (made if missing).
    private static func openLockFile(_ file: String) throws -> Int32 {
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SiteError(file: file, "cannot open: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Whether `operation` took the lock on `fd`: false only when it is held and `LOCK_NB` asked
    /// not to wait.
    private static func take(_ fd: Int32, _ operation: Int32, _ file: String) throws -> Bool {
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK && operation & LOCK_NB != 0 { return false }
            throw SiteError(file: file, "cannot lock: \(String(cString: strerror(code)))")
        }
        return true
    }
}
