import BelenusCore
import Foundation

/// One writer of `output/` at a time: `belenus build` and every gateway request that
/// regenerates pages take `var/.build.lock` (flock), and each renders from the database as it
/// is once it holds the lock, so an older version never overwrites a newer one.
public enum BuildLock {
    public static func holding<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T {
        try FileLock.holding(paths.var_ + "/.build.lock", .exclusive, body)
    }
}
