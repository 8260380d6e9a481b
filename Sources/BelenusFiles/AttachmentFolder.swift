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
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try FileLock.holding(path + "/.lock", .shared, body)
    }

    /// Removes the files and half-written temporary files that no row names, unless a request
    /// is storing files right now (then the next build does). `referenced` is read after the
    /// lock is held. Returns how many were removed.
    public func removeUnreferenced(_ referenced: () throws -> Set<String>) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        return try FileLock.ifFree(path + "/.lock", .exclusive) {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0 != ".lock" }
            let keep = try referenced()
            let orphans = names.filter { !keep.contains($0) }
            for name in orphans { unlink("\(path)/\(name)") }
            return orphans.count
        } ?? 0
    }
}
