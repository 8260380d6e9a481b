#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decisions about untrusted text made on UTF-8 bytes, never on `Character`.
///
/// A combining mark joins the character before it: `"\0"`, `";"`, `"/"` or `"\r\n"` followed by
/// U+0301 is one `Character` that is none of them, so `contains`, `split`, `hasPrefix` and
/// `range(of:)` on `String` miss it (and match U+037E as `;` by canonical equivalence). Every
/// separator and forbidden character here is ASCII, and in UTF-8 an ASCII byte is never part of
/// another scalar, so a byte search is exact.
public enum ByteText {
    /// Whether `text` holds the ASCII character `ascii`.
    public static func contains(_ text: some StringProtocol, _ ascii: Unicode.Scalar) -> Bool {
        text.utf8.contains(UInt8(ascii.value))
    }

    /// Whether `text` holds `needle`, compared byte for byte.
    public static func contains(_ text: some StringProtocol, _ needle: some StringProtocol) -> Bool {
        firstIndex(of: Array(needle.utf8), in: Array(text.utf8), from: 0) != nil
    }

    /// Whether `text` starts with `prefix`, byte for byte.
    public static func hasPrefix(_ text: some StringProtocol, _ prefix: some StringProtocol) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    /// Whether two strings are the same bytes (`==` on `String` holds for canonically
    /// equivalent ones, which are different text to a browser or a database).
    public static func same(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// `text` cut at every ASCII `separator`.
    public static func split(
        _ text: some StringProtocol, at separator: Unicode.Scalar, maxSplits: Int = .max, keepingEmpty: Bool = false
    ) -> [String] {
        Array(text.utf8).split(separator: UInt8(separator.value), maxSplits: maxSplits, omittingEmptySubsequences: !keepingEmpty)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `text` cut at every `separator` (a run of bytes, such as CRLF), empty pieces kept.
    public static func components(_ text: some StringProtocol, separatedBy separator: String) -> [String] {
        let bytes = Array(text.utf8), needle = Array(separator.utf8)
        var pieces: [String] = []
        var start = 0
        while let found = firstIndex(of: needle, in: bytes, from: start) {
            pieces.append(String(decoding: bytes[start..<found], as: UTF8.self))
            start = found + needle.count
        }
        pieces.append(String(decoding: bytes[start...], as: UTF8.self))
        return pieces
    }

    /// Equal bytes, compared without stopping at the first difference, so timing tells nothing.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Without spaces and tabs at either end (RFC 7230's OWS).
    public static func trimmed(_ text: some StringProtocol) -> String {
        let bytes = Array(text.utf8)
        let isSpace = { (b: UInt8) in b == 32 || b == 9 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Every `target` replaced by `replacement`, matched byte for byte.
    public static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let needle = Array(target.utf8), bytes = Array(text.utf8)
        guard var next = firstIndex(of: needle, in: bytes, from: 0) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            out += bytes[copied..<next]
            out += replacement.utf8
            copied = next + needle.count
            guard let found = firstIndex(of: needle, in: bytes, from: copied) else { break }
            next = found
        }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Line ends as LF: CRLF becomes LF; a lone CR stays (it is text, not a line end, to cmark
    /// only at the end of a line).
    public static func unixLineEnds(_ text: String) -> String { replacing("\r\n", with: "\n", in: text) }

    /// Whether `text` holds a control character (Unicode category Cc: C0, DEL, C1), by scalar.
    public static func hasControlCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// `value` in decimal digits appended to `bytes` (what `"\(value)"` writes, without its
    /// generic code: the front door's answer and log line are written by byte).
    public static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude, place: UInt = 1
        while place <= rest / 10 { place *= 10 }
        while place > 0 {
            bytes.append(UInt8(48 + rest / place))
            rest %= place
            place /= 10
        }
    }

    /// Where `needle` first stands in `haystack` at or after `from`: memchr finds the first
    /// byte, memcmp checks the rest (a multipart boundary, a template's delimiter or a page's
    /// marker rarely shares its first byte with what is around it). The one byte search of the
    /// code: the parsers, the template engine and the page cutter use it.
    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from >= 0, from <= haystack.count, needle.count <= haystack.count - from else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n -> Int? in
                let base = hay.baseAddress!
                var i = from
                let last = hay.count - n.count
                while i <= last {
                    guard let hit = memchr(base + i, Int32(n[0]), last - i + 1) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }
}
