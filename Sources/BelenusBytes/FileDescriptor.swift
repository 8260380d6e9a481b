#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one write-all loop: `write(2)` until every byte is out, again after `EINTR`.
public enum FileDescriptor {
    /// False when a write failed (errno says why); a pipe whose reader went away is a failure
    /// (SIGPIPE is ignored by the programs that write to pipes).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
    }
}
