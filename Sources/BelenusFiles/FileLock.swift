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
        let fd = try lock(file, mode.operation)
        defer { close(fd) }
        return try body()
    }

    /// Runs `body` if the lock is free now; nil, without waiting, when another process holds it.
    public static func ifFree<T>(_ file: String, _ mode: Mode, _ body: () throws -> T) throws -> T? {
        let fd = try lock(file, mode.operation | LOCK_NB, busyIsOK: true)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return try body()
    }

    /// Runs `body` once the lock is had, trying for it again on `DatabaseFile`'s schedule (every
    /// millisecond, then every 2 and 4) instead of waiting in `flock`: whoever waits there has it
    /// first.
    public static func holdingAfterWaiters<T>(_ file: String, _ mode: Mode, _ body: () throws -> T) throws -> T {
        var tries = 0
        while true {
            let fd = try lock(file, mode.operation | LOCK_NB, busyIsOK: true)
            if fd >= 0 {
                defer { close(fd) }
                return try body()
            }
            usleep(UInt32(DatabaseFile.pause(before: tries).sleep * 1000))
            tries += 1
        }
    }

    /// The lock file, locked; -1 when it is held and `busyIsOK`.
    private static func lock(_ file: String, _ operation: Int32, busyIsOK: Bool = false) throws -> Int32 {
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
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
