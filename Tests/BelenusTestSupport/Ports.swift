#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Ports and readiness for the servers a test starts (web servers, `belenus serve`, the SMTP
/// sink): a port the OS gave, and an answer that only this test's server can give.
public enum Ports {
    /// A TCP port of 127.0.0.1 that nothing listened on a moment ago: bound to port 0, read
    /// back, closed. Not a random number: two suites running at once never pick the same one.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PortError(text: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw PortError(text: "bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw PortError(text: "getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct PortError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { text }
    }
}

/// A file with a random name and body in the folder a server serves: the server that answers
/// its path with its body is the one this test started (readiness means *that* server answered).
/// Deleted when the marker goes.
public final class ReadyMarker {
    public let name: String
    public let body: String
    let path: String

    public init(in folder: String) throws {
        body = UUID().uuidString
        name = "belenus-ready-\(body).txt"
        path = folder + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
