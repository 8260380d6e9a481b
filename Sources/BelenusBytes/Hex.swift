/// Lower-case hexadecimal, two digits a byte: tokens, their hashes, content hashes.
/// (`String(format: "%02x")` goes through Foundation's formatter, once a byte.)
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 16 digits of `value`, most significant first.
    public static func string(_ value: UInt64) -> String {
        string((0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }

    /// The value of one hex digit (either case), or nil: form escapes, quoted-printable.
    public static func digit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }

    /// `%XX` escapes decoded to the bytes they stand for (a `%` without two hex digits after it
    /// stays as it is); with `plusIsSpace`, `+` is a space, as in a form (WHATWG URL §5.1). The
    /// one percent-decoder: forms, and mail's RFC 2231 parameter values.
    public static func percentDecoded(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if plusIsSpace, b == UInt8(ascii: "+") {
                out.append(32)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let high = digit(bytes[i + 1]), let low = digit(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }

    /// `words` × 64 random bits from the system's generator (getrandom(2)), as hex.
    public static func random(words: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<words).map { _ in string(generator.next() as UInt64) }.joined()
    }
}
