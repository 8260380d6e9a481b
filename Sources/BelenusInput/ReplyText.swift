import Foundation

/// The new text of a reply (SPEC §7): what the person wrote above the message they answered.
/// Cut at the first of:
/// - a `-- ` signature line (RFC 3676; `--` too, which clients that trim spaces send);
/// - the line that introduces the quote, as Gmail, Apple Mail and Thunderbird write it in
///   Spanish and English ("El lun, 7 dic 2026 a las 10:15, Soporte <…> escribió:", "On Mon, Dec
///   7, 2026 at 10:15 AM Soporte <…> wrote:"), also when the client wrapped it over two lines;
/// - Outlook's "-----Original Message-----" / "-----Mensaje original-----", its line of
///   underscores, or its header block (From/De, then Sent/Enviado/Date/Fecha and To/Para or
///   Subject/Asunto within the next lines);
/// - and what is left of lines quoted with `>` is dropped.
public enum ReplyText {
    public static func newText(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        var cut = lines.count
        for i in lines.indices {
            if startsQuote(lines, at: i) {
                cut = i
                break
            }
        }
        let kept = lines[..<cut].filter { !$0.hasPrefix(">") }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func startsQuote(_ lines: [String], at i: Int) -> Bool {
        let line = lines[i]
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if line == "-- " || line == "--" { return true }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("-----") && (lower.contains("original message") || lower.contains("mensaje original")) { return true }
        if trimmed.count >= 20 && trimmed.allSatisfy({ $0 == "_" }) { return true }
        if isAttribution(lower) { return true }
        // An attribution wrapped over two lines (Gmail wraps at 78 characters).
        if i + 1 < lines.count, lower.hasPrefix("on ") || lower.hasPrefix("el "),
           isAttribution(lower + " " + lines[i + 1].trimmingCharacters(in: .whitespaces).lowercased()) {
            return true
        }
        if isHeaderBlock(lines, at: i) { return true }
        return false
    }

    /// "… wrote:" / "… escribió:" introducing a quote: starts "On " or "El ", or names an address.
    static func isAttribution(_ lower: String) -> Bool {
        guard lower.hasSuffix("wrote:") || lower.hasSuffix("escribió:") || lower.hasSuffix("escribio:") else { return false }
        return lower.hasPrefix("on ") || lower.hasPrefix("el ") || lower.contains("@")
    }

    /// Outlook's block: "From:"/"De:", then within four lines a date ("Sent:", "Enviado:",
    /// "Date:", "Fecha:") and a "To:"/"Para:" or "Subject:"/"Asunto:".
    static func isHeaderBlock(_ lines: [String], at i: Int) -> Bool {
        func field(_ line: String, _ names: [String]) -> Bool {
            let lower = line.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "*", with: "")
            return names.contains { lower.hasPrefix($0) }
        }
        guard field(lines[i], ["from:", "de:"]) else { return false }
        let next = lines[(i + 1)..<min(lines.count, i + 5)]
        return next.contains { field($0, ["sent:", "enviado:", "date:", "fecha:", "enviado el:"]) }
            && next.contains { field($0, ["to:", "para:", "subject:", "asunto:"]) }
    }
}
