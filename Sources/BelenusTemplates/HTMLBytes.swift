/// HTML escaping on UTF-8 bytes.
///
/// `& < > " '` are ASCII, and no byte of a multi-byte UTF-8 sequence is below 0x80, so a byte
/// scan is exact: a quote followed by a combining mark is still a quote here, where an escaper
/// that walks `Character`s (swift-mustache's, leaf-kit's CVE-2026-27120) lets it through.
public enum HTMLBytes {
    public static func appendEscaped(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &output) }
    }

    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var plain = 0  // bytes[plain..<i] need no escaping and are not yet copied
        for i in 0..<bytes.count {
            let entity: StaticString
            switch bytes[i] {
            case 38: entity = "&amp;"
            case 60: entity = "&lt;"
            case 62: entity = "&gt;"
            case 34: entity = "&quot;"
            case 39: entity = "&#39;"
            default: continue
            }
            if i > plain { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<i])) }
            entity.withUTF8Buffer { output.append(contentsOf: $0) }
            plain = i + 1
        }
        if bytes.count > plain { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<bytes.count])) }
    }
}
