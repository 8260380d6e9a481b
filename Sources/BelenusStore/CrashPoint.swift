import Foundation

/// Where the crash tests stop a process dead, with SIGKILL as the kernel's OOM killer or a power
/// cut would: no cleanup, no `defer`, no atexit. `BELENUS_CRASH_AT=name` stops at the first time
/// `name` is reached, `name:N` at the N-th. A web server passes the CGI program no such variable
/// (a client's headers arrive as `HTTP_*`), so only a test's or an operator's environment sets it.
///
/// The points: `store.before-commit` (a write transaction done, not committed),
/// `gateway.before-regeneration` (committed, no page written yet), `site.page-before-rename`
/// (a page whole in its temporary file, not yet in place), `site.page-written` (a page in
/// place, the build's record of it not yet saved). It lives with the store, the lowest module
/// that does I/O, so that Core stays free of it.
public enum CrashPoint {
    private static let wanted: (name: String, count: Int)? = {
        guard let value = getenv("BELENUS_CRASH_AT").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
    }()
    private static let reached = NSLock()
    nonisolated(unsafe) private static var counts: [String: Int] = [:]

    public static func reach(_ name: String) {
        guard let wanted, wanted.name == name else { return }
        let count = reached.withLock {
            counts[name, default: 0] += 1
            return counts[name]!
        }
        if count == wanted.count { kill(getpid(), SIGKILL) }
    }
}
