import BelenusCore
import Foundation

/// One writer of `output/` at a time: `belenus build` and every gateway request that
/// regenerates pages take `var/.build.lock` (flock), and each renders from the database as it
/// is once it holds the lock, so an older version never overwrites a newer one.
///
/// A whole build (every page compared: `--full`, a new theme, config or technician, a new output
/// folder) also holds `var/.whole-build.lock` while it renders: at 100,000 tickets it has the
/// build lock for 10–20 s, at a million for minutes, longer than a web server waits for a CGI
/// answer. A request does not wait for it (`holdingUnlessWholeBuild`).
public enum BuildLock {
    /// Waits for the lock, then runs `body`.
    public static func holding<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T {
        try FileLock.holding(file(paths), .exclusive, body)
    }

    /// A request's: `body` under the lock, waiting for it behind other requests and builds; nil
    /// at once, `body` not run, while a whole build holds it or waits for it.
    public static func holdingUnlessWholeBuild<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T? {
        let wholeBuildSaidSo = { try FileLock.ifFree(wholeBuildFile(paths), .shared, {}) == nil }
        return try FileLock.holding(file(paths), .exclusive, unlessBusyAnd: wholeBuildSaidSo, body)
    }

    /// A whole build's: says so first, then takes the build lock after the requests that were
    /// already waiting for it (`FileLock.holdingAfterWaiters`; new ones no longer wait), and runs
    /// `body`.
    public static func holdingForWholeBuild<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T {
        try FileLock.holding(wholeBuildFile(paths), .exclusive) { try FileLock.holdingAfterWaiters(file(paths), .exclusive, body) }
    }

    /// A build found whole once it held the build lock: says so to requests while `body` runs.
    /// (A request that began to wait before this build took the lock waits for it.) Not when
    /// another whole build is saying so: that one waits for this one's lock, and waiting for its
    /// word would wait for ever.
    public static func sayingWholeBuild<T>(_ paths: SitePaths, _ body: () throws -> T) throws -> T {
        try FileLock.ifFree(wholeBuildFile(paths), .exclusive, body) ?? body()
    }

    static func file(_ paths: SitePaths) -> String { paths.var_ + "/.build.lock" }
    static func wholeBuildFile(_ paths: SitePaths) -> String { paths.var_ + "/.whole-build.lock" }
}
