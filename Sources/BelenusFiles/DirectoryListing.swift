import Foundation

/// The files under a folder, by `readdir(3)`: `FileManager`'s enumerator casts every entry from
/// `Any`, and those casts were a sixth of a comment's theme loading (perf).
public enum DirectoryListing {
    /// The paths of the regular files (and links) under `root`, relative to it, sorted; folders
    /// whose name starts with "." are skipped, as are such files. Nil if `root` cannot be read.
    public static func files(under root: String) -> [String]? {
        var found: [String] = []
        guard walk(root, prefix: "", into: &found) else { return nil }
        return found.sorted()
    }

    private static func walk(_ folder: String, prefix: String, into found: inout [String]) -> Bool {
        guard let dir = opendir(folder) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            guard !name.hasPrefix(".") else { continue }
            let path = folder + "/" + name, relative = prefix + name
            var isFolder = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var info = stat()
                isFolder = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            if isFolder {
                _ = walk(path, prefix: relative + "/", into: &found)
            } else {
                found.append(relative)
            }
        }
        return true
    }

    /// Deletes the oldest files of `directory` (their names start with their time, so the name
    /// orders them) until the rest hold at most `bytes`: a folder that anyone can add to (the
    /// mail `belenus mail receive` sets aside) stays within a bound.
    public static func keepNewest(in directory: String, bytes: Int) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted(by: >)
        var total = 0
        for name in names {
            let path = directory + "/" + name
            total += ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            if total > bytes { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
