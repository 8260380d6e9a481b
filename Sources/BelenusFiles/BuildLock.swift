import BelenusCore
import Foundation

/// One writer of `output/` at a time: `belenus build` and every gateway request that
/// regenerates pages take `var/.build.lock` (flock), and each renders from the database as it
/// is once it holds the lock, so an older version never overwrites a newer one.
public enum BuildLock {
    public static func holding<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T {
        let path = paths.var_ + "/.build.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SiteError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }  // closing releases the lock, also when the process dies
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SiteError(file: path, "cannot lock: \(String(cString: strerror(errno)))") }
        }
        return try body()
    }
}
