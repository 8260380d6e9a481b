/// Header values cut at their ASCII separators (`;`, `=`, `:`, `?`) by UTF-8 bytes, as RFC 6265,
/// 7230 and 7578 define them: never by `Character`, for `;` followed by a combining mark is one
/// Character and would not split (the cookie fuzz target found it).
enum HeaderText {
    static func split(_ text: some StringProtocol, at separator: Unicode.Scalar, maxSplits: Int = .max, keepingEmpty: Bool = false) -> [String] {
        Array(text.utf8).split(separator: UInt8(separator.value), maxSplits: maxSplits, omittingEmptySubsequences: !keepingEmpty)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Without spaces and tabs at either end (RFC 7230's OWS).
    static func trimmed(_ text: some StringProtocol) -> String {
        let bytes = Array(text.utf8)
        let isSpace = { (b: UInt8) in b == 32 || b == 9 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
