#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's environment, read from `environ` as bytes: each name's first value, decoded as
/// UTF-8 with invalid bytes replaced (as the front door reads the variables it needs); entries
/// without "=" are skipped. `ProcessInfo.environment` was 2.4 % of a comment's CGI process (its
/// start-up and runtime lookups, perf).
public enum ProcessEnvironment {
    public typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    public static func current() -> [String: String] {
        var values: [String: String] = [:]
        forEach { name, value in
            let name = String(decoding: name, as: UTF8.self)
            if values[name] == nil { values[name] = String(decoding: value, as: UTF8.self) }
        }
        return values
    }

    /// Each entry of `environ` in order, split at its first "=" (entries without one skipped),
    /// as bytes valid only during the call: the one loop both `current()` and the front door's
    /// dictionary-free reading use.
    public static func forEach(_ body: (_ name: Bytes, _ value: Bytes) -> Void) {
        var entry = environ
        while let pointer = entry.pointee {
            entry += 1
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            body(bytes[..<equals], bytes[(equals + 1)...])
        }
    }
}
