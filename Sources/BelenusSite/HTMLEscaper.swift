import Mustache

/// HTML escaping by Unicode scalar, not by Character.
///
/// swift-mustache 2.1.1 escapes Characters: `"` followed by U+0301 is one Character that is not
/// `"`, so its escaper lets the quote through and a title can leave an attribute (SPEC §8).
/// Working on UTF-8 bytes is exact here: the five characters escaped are all ASCII, and no
/// byte of a multi-byte sequence is below 0x80.
public enum HTMLEscaper {
    public static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 38: out.append(contentsOf: "&amp;".utf8)
            case 60: out.append(contentsOf: "&lt;".utf8)
            case 62: out.append(contentsOf: "&gt;".utf8)
            case 34: out.append(contentsOf: "&quot;".utf8)
            case 39: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The name templates select with `{{% CONTENT_TYPE: BELENUS_HTML }}`; `Theme` puts that line
    /// at the start of every template, so no template can fall back to the library's escaper.
    static let contentTypeName = "BELENUS_HTML"

    struct ContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLEscaper.escape(text) }
    }

    /// Registers the content type once per process.
    static let registered: Void = {
        MustacheContentTypes.register(ContentType(), named: contentTypeName)
    }()
}
