#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The site's database file as every process that opens it waits for it: the store's busy
/// handler and the front door's both call `waitAgain`.
public enum DatabaseFile {
    /// How long a process waits for another's write lock before the request is answered 503.
    public static let busyTimeout = 15.0

    /// SQLite's busy handler, called while another process holds a lock: whether to try again.
    /// Every millisecond, up to `busyTimeout`: SQLite's own (`busy_timeout`) backs off to 25, 50
    /// and then 100 ms sleeps, and under the lighttpd mix a comment that lost the lock a few
    /// times slept 78 ms or more after it was free (comments' p99 472 ms in one run).
    ///
    /// Not at all when the file at `path` is out of WAL mode: a site's first `belenus import`
    /// has it alone (`Store.takeAlone`) for minutes, and a page view waited the front door's
    /// 15 s and then the whole gateway's before its 503. `path` is asked once, at the first
    /// try; nil for the connection that has the database alone itself.
    ///
    /// A wait longer than 16 ms (the writer's lock is held about 2 ms a change, so only when many
    /// wait) tries every 2 ms, and past 80 ms every 4: each try is a process woken and a lock
    /// asked for, and 60 processes trying every millisecond took the CPU that the writer needed
    /// (comments alone, 64 clients: 154 → 108 a second).
    public static func waitAgain(_ tries: Int, path: @autoclosure () -> String?) -> Bool {
        if tries == 0, let path = path(), !isInWALMode(path) { return false }
        let (sleep, waited) = pause(before: tries)
        guard Double(waited) / 1000 < busyTimeout else { return false }
        usleep(UInt32(sleep * 1000))
        return true
    }

    /// Before try `tries` (0 first): the milliseconds to sleep, and those slept before.
    public static func pause(before tries: Int) -> (sleep: Int, waited: Int) {
        tries < 16 ? (1, tries) : tries < 48 ? (2, 16 + 2 * (tries - 16)) : (4, 80 + 4 * (tries - 48))
    }

    /// Whether the file is in WAL mode: bytes 18 and 19 of its header ("file format write and
    /// read version") are 2 in WAL mode, 1 with a rollback journal. True when the file cannot be
    /// read: the caller's SQLite says why.
    public static func isInWALMode(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var versions: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &versions) { pread(fd, $0.baseAddress, 2, 18) }
        return n != 2 || (versions.0 == 2 && versions.1 == 2)
    }
}
