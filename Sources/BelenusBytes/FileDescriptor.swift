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

/// The process's environment, read from `environ` as bytes: each name's first value, decoded as
/// UTF-8 with invalid bytes replaced (as the front door reads the variables it needs); entries
/// without "=" are skipped. `ProcessInfo.environment` was 2.4 % of a comment's CGI process (its
/// start-up and runtime lookups, perf).
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            entry += 1
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: bytes[..<equals], as: UTF8.self)
            if values[name] == nil { values[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self) }
        }
        return values
    }
}
