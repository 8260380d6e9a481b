import Foundation

/// A folder under the system's temporary folder that deletes itself: when the last reference to
/// it goes (the test that made it ends), or, for one made `forTheWholeRun`, when the test
/// process exits. A test run leaves nothing behind.
public final class TemporaryFolder: @unchecked Sendable {
    public let path: String

    /// A new, empty folder named `prefix-<UUID>`.
    public init(_ prefix: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder (nothing is made there).
    public func file(_ name: String) -> String { path + "/" + name }

    /// A folder kept until the test process exits (a template that tests copy).
    public static func forTheWholeRun(_ prefix: String) throws -> String {
        let folder = try TemporaryFolder(prefix)
        kept.append(folder)
        return folder.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    nonisolated(unsafe) private static var kept: [TemporaryFolder] = {
        atexit { TemporaryFolder.removeKept() }
        return []
    }()

    private static func removeKept() {
        for folder in kept { try? FileManager.default.removeItem(atPath: folder.path) }
    }
}

/// Where the repository and its built products are.
public enum Repository {
    /// The checkout: the default theme, the sample content, `Tests/Fuzz`.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The folder of the built products (`BELENUS_BIN_DIR`, else `.build/debug`).
    public static let binDir: String = {
        if let dir = ProcessInfo.processInfo.environment["BELENUS_BIN_DIR"], !dir.isEmpty { return dir }
        return root + "/.build/debug"
    }()
}

/// Paths for what tests make, all inside one folder of this test run that is deleted when the
/// test process exits (a run used to leave thousands of folders in the temporary folder).
public enum Scratch {
    nonisolated(unsafe) private static var folder: String = {
        (try? TemporaryFolder.forTheWholeRun("belenus-tests")) ?? NSTemporaryDirectory()
    }()
    private static let lock = NSLock()

    /// A new path `prefix-<12 hex digits>suffix` in the run's folder (nothing is made there).
    /// Short: web servers put unix sockets in such folders, whose paths may not pass 107 bytes.
    public static func path(_ prefix: String, suffix: String = "") -> String {
        lock.lock()
        defer { lock.unlock() }
        return folder + "/\(prefix)-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))\(suffix)"
    }
}

/// What a folder holds.
public enum FileTree {
    /// Every file under `root` with its bytes, by path relative to `root`; the build's marker
    /// (`.belenus-build`, a random token naming the build that wrote an output folder) left out.
    public static func files(under root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            if path == ".belenus-build" { continue }
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isFolder)
            if !isFolder.boolValue { result[path] = FileManager.default.contents(atPath: "\(root)/\(path)") }
        }
        return result
    }
}
