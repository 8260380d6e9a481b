import BelenusTemplates

/// HTML escaping of a whole string, by byte (`HTMLBytes`): for text the views put together
/// outside a template (error messages, search snippets).
public enum HTMLEscaper {
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        HTMLBytes.appendEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
