import BelenusBytes
import Foundation

/// The decodings a received message needs (RFC 2045, 2047, 2231), on bytes.
enum MailDecoding {
    /// Quoted-printable: `=XX` a byte, `=` at a line's end a soft break; anything else as it is.
    static func quotedPrintable(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let byte = body[i]
            guard byte == UInt8(ascii: "=") else {
                out.append(byte)
                i += 1
                continue
            }
            // A soft line break: `=` then optional spaces, then LF or CRLF.
            var j = i + 1
            while j < body.endIndex, body[j] == 32 || body[j] == 9 { j += 1 }
            if j < body.endIndex, body[j] == 10 {
                i = j + 1
                continue
            }
            if j + 1 < body.endIndex, body[j] == 13, body[j + 1] == 10 {
                i = j + 2
                continue
            }
            if i + 2 < body.endIndex, let high = Hex.digit(body[i + 1]), let low = Hex.digit(body[i + 2]) {
                out.append(high << 4 | low)
                i += 3
                continue
            }
            out.append(byte)
            i += 1
        }
        return out
    }

    /// Base64, ignoring line breaks and anything else outside the alphabet.
    static func base64(_ body: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for byte in body {
            let value: UInt32
            switch byte {
            case 65...90: value = UInt32(byte - 65)
            case 97...122: value = UInt32(byte - 71)
            case 48...57: value = UInt32(byte) + 4
            case 43, 45: value = 62  // + (and - of base64url)
            case 47, 95: value = 63  // / (and _)
            default: continue
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }

    /// Text in `charset`: UTF-8 (invalid bytes replaced), ISO-8859-1 and Windows-1252 (the
    /// Latin-1 that Outlook labels ISO-8859-1 and fills with 0x80–0x9F); others read as UTF-8.
    static func text(_ bytes: [UInt8], charset: String) -> String {
        switch charset.trimmingCharacters(in: .whitespaces).lowercased() {
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso-8859-15", "windows-1252", "cp1252":
            var scalars = String.UnicodeScalarView()
            for byte in bytes {
                if (0x80...0x9F).contains(byte), let mapped = windows1252[Int(byte - 0x80)] {
                    scalars.append(mapped)
                } else {
                    scalars.append(Unicode.Scalar(byte))
                }
            }
            return String(scalars)
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static let windows1252: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}", "\u{02C6}", "\u{2030}", "\u{0160}",
        "\u{2039}", "\u{0152}", nil, "\u{017D}", nil, nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}",
        "\u{2014}", "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    /// RFC 2047 encoded words (`=?charset?B?…?=`, `=?charset?Q?…?=`) decoded; the space between
    /// two of them dropped, as §6.2 says; anything malformed left as it is.
    static func encodedWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var out = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let pieces = after.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count == 4, pieces[3].hasPrefix("="), pieces[1].count == 1 else {
                out += before + "=?"
                rest = after
                lastWasWord = false
                continue
            }
            if !(lastWasWord && before.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) { out += before }
            let charset = String(pieces[0].split(separator: "*").first ?? "")
            let payload = Array(pieces[2].utf8)
            let bytes: [UInt8]
            if pieces[1].lowercased() == "b" {
                bytes = base64(payload)
            } else {
                bytes = quotedPrintable(ArraySlice(payload.map { $0 == UInt8(ascii: "_") ? 32 : $0 }))
            }
            out += text(bytes, charset: charset)
            rest = pieces[3].dropFirst()
            lastWasWord = true
        }
        return out + rest
    }

    /// `%XX` escapes (RFC 2231's extended parameter values), as UTF-8.
    static func percent(_ value: String) -> String {
        String(decoding: Hex.percentDecoded(ArraySlice(value.utf8), plusIsSpace: false), as: UTF8.self)
    }
}
