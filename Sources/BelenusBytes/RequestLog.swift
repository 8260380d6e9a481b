#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `var/log/gateway.log`: one line per request, tab-separated: time (UTC), method, route, user
/// (`-` for nobody), status, milliseconds. Never the query string, a cookie or the body: they
/// hold search words, tokens and passwords. At 10 MiB the file becomes `gateway.log.1` (and .1
/// becomes .2, up to .5; the oldest goes). A line that cannot be written is reported on stderr
/// and the request stands. Without Foundation: the front door (`belenus-gateway`) writes it too.
public struct RequestLog: Sendable {
    public static let maxBytes = 10 << 20
    public static let kept = 5
    public let folder: String
    public let file: String
    public var path: String { folder + "/" + file }

    /// - Parameter site: the site's root folder; the log is in its `var/log/`.
    public init(site: String) { self.init(site: site, file: "gateway.log") }

    /// Another log of the site kept the same way (`mail.log`, `belenus mail receive`'s).
    public init(site: String, file: String) {
        folder = site + "/var/log"
        self.file = file
    }

    /// The route's longest part kept in a line, in Unicode scalars (an anonymous request names
    /// the route: its line is bounded like the file).
    public static let maxRouteScalars = 512

    /// The line of one request (control characters in the route become `?`: no forged lines).
    /// - Parameter time: when the request began, in seconds since 1970.
    public static func line(at time: Double, method: String, route: String, user: String?, status: Int, milliseconds: Double) -> String {
        // By byte, as `CGIText.answer`: no interpolation (a Double's description alone was a
        // fortieth of a page view's process).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + route.utf8.count)
        bytes += UTCTime.iso(Int(time.rounded(.down))).utf8
        bytes.append(9)
        appendPrintable(method, 16, to: &bytes)
        bytes.append(9)
        appendPrintable(route, maxRouteScalars, to: &bytes)
        bytes.append(9)
        bytes += (user ?? "-").utf8
        bytes.append(9)
        ByteText.appendDecimal(status, to: &bytes)
        bytes.append(9)
        // Tenths as integers, negative when the clock was set back during the request.
        let tenths = Int((milliseconds * 10).rounded())
        if tenths < 0 { bytes.append(UInt8(ascii: "-")) }
        ByteText.appendDecimal(abs(tenths) / 10, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        ByteText.appendDecimal(abs(tenths) % 10, to: &bytes)
        bytes.append(10)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// At most `most` Unicode scalars of `text`, control characters (a tab or a line end that
    /// would forge a field or a line) as `?`.
    public static func printable(_ text: String, _ most: Int) -> String {
        var bytes: [UInt8] = []
        appendPrintable(text, most, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `printable` appended to `bytes`, read by UTF-8 bytes: a scalar begins at each byte that
    /// is not a continuation byte, and a control character (U+0000–U+001F, U+007F) is one byte
    /// of its own (a multi-byte sequence has none below 0x80).
    static func appendPrintable(_ text: String, _ most: Int, to bytes: inout [UInt8]) {
        var scalars = 0
        for byte in text.utf8 {
            if byte & 0xC0 != 0x80 {
                scalars += 1
                if scalars > most { break }
            }
            bytes.append(byte < 0x20 || byte == 0x7F ? UInt8(ascii: "?") : byte)
        }
    }

    public func append(_ line: String) {
        var fd = open()
        if fd >= 0, size(of: fd) >= Self.maxBytes {
            close(fd)
            rotate()
            fd = open()
        }
        guard fd >= 0 else { return report("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        if !FileDescriptor.writeAll(fd, bytes) { report("cannot write \(path)") }
    }

    /// O_APPEND: lines of concurrent processes do not overwrite each other. `var/log/` is made on
    /// the first ENOENT (sites made before the log have none).
    private func open() -> Int32 {
        let fd = Self.openFile(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd < 0, errno == ENOENT else { return fd }
        mkdir(folder, 0o750)
        return Self.openFile(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
    }

    private static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags, mode)
        #else
        Darwin.open(path, flags, mode)
        #endif
    }

    /// One process rotates (under `.rotate.lock`); the others write on meanwhile.
    private func rotate() {
        // flock(2), as FileLock.ifFree (BelenusFiles, which needs Foundation) takes it.
        let lock = Self.openFile(folder + "/.rotate.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }  // another one is rotating
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) >= Self.maxBytes else { return }  // another one rotated
        unlink("\(path).\(Self.kept)")
        for n in stride(from: Self.kept - 1, through: 1, by: -1) { rename("\(path).\(n)", "\(path).\(n + 1)") }
        rename(path, path + ".1")
    }

    private func size(of fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    private func report(_ problem: String) {
        _ = FileDescriptor.writeAll(2, Array("belenus-gateway: request log: \(problem)\n".utf8))
    }
}
