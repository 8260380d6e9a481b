#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the site's database file says of itself, read without SQLite.
public enum DatabaseFile {
    /// Whether the file is in WAL mode: bytes 18 and 19 of its header ("file format write and
    /// read version") are 2 in WAL mode, 1 with a rollback journal. The site's database is in
    /// WAL mode but while a site's first `belenus import` has it alone (`Store.takeAlone`), for
    /// minutes: a process that finds it busy and out of WAL mode does not wait for it. True when
    /// the file cannot be read: the caller's SQLite says why.
    public static func isInWALMode(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var versions: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &versions) { pread(fd, $0.baseAddress, 2, 18) }
        return n != 2 || (versions.0 == 2 && versions.1 == 2)
    }
}
