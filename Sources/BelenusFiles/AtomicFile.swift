import BelenusCore
import Foundation

/// Writes a file so that readers see the old bytes or the new, never half (SPEC §6):
/// a temporary file, then rename(2), which replaces atomically.
///
/// The temporary files live in one folder of their own (`output/.tmp/`, on the output's file
/// system, outside what the web server serves): a writer killed mid-file leaves its half there,
/// never beside a page, and `belenus build` empties the folder under the build lock.
public enum AtomicFile {
    public static let temporaryFolderName = ".tmp"

    public static func write(_ bytes: [UInt8], to path: String, temporaryFolder: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temp = "\(temporaryFolder)/\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {  // the first page of a site: no folder for temporary files yet
            try FileManager.default.createDirectory(atPath: temporaryFolder, withIntermediateDirectories: true)
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw SiteError(file: temp, "cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        let closed = close(fd) == 0
        CrashPoint.reach("site.page-before-rename")
        guard ok, closed, rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw SiteError(file: path, "cannot write: \(reason)")
        }
    }

    /// Deletes what killed writers left in `temporaryFolder`. Only under the build lock.
    public static func removeLeftovers(in temporaryFolder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder)) ?? [] {
            unlink("\(temporaryFolder)/\(name)")
        }
    }
}
