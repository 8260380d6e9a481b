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
            .map { Array($0.utf8) }
        var cut = lines.count
        for i in lines.indices where startsQuote(lines, at: i) {
            cut = i
            break
        }
        let kept = lines[..<cut].filter { $0.first != UInt8(ascii: ">") }.map { String(decoding: $0, as: UTF8.self) }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Checked on each line's bytes, ASCII case folded (`InboundMail.folded`): a mark glued to a
    /// `>` or a `-` does not make a quote or a signature.
    static func startsQuote(_ lines: [[UInt8]], at i: Int) -> Bool {
        let line = lines[i]
        if line == Array("-- ".utf8) || line == Array("--".utf8) { return true }
        let lower = folded(line)
        if lower.starts(with: Array("-----".utf8)) && (contains(lower, "original message") || contains(lower, "mensaje original")) {
            return true
        }
        if lower.count >= 20 && lower.allSatisfy({ $0 == UInt8(ascii: "_") }) { return true }
        if isAttribution(lower) { return true }
        // An attribution wrapped over two lines (Gmail wraps at 78 characters).
        if i + 1 < lines.count, lower.starts(with: Array("on ".utf8)) || lower.starts(with: Array("el ".utf8)),
           isAttribution(lower + [32] + folded(lines[i + 1])) {
            return true
        }
        return isHeaderBlock(lines, at: i)
    }

    /// "… wrote:" / "… escribió:" introducing a quote: starts "On " or "El ", or names an address.
    static func isAttribution(_ lower: [UInt8]) -> Bool {
        guard ["wrote:", "escribió:", "escribio:"].contains(where: { lower.reversed().starts(with: Array($0.utf8).reversed()) })
        else { return false }
        return lower.starts(with: Array("on ".utf8)) || lower.starts(with: Array("el ".utf8)) || lower.contains(UInt8(ascii: "@"))
    }

    /// Outlook's block: "From:"/"De:", then within four lines a date ("Sent:", "Enviado:",
    /// "Date:", "Fecha:") and a "To:"/"Para:" or "Subject:"/"Asunto:" (bold marks `*` ignored).
    static func isHeaderBlock(_ lines: [[UInt8]], at i: Int) -> Bool {
        func field(_ line: [UInt8], _ names: [String]) -> Bool {
            let lower = folded(line).filter { $0 != UInt8(ascii: "*") }
            return names.contains { lower.starts(with: Array($0.utf8)) }
        }
        guard field(lines[i], ["from:", "de:"]) else { return false }
        let next = lines[(i + 1)..<min(lines.count, i + 5)]
        return next.contains { field($0, ["sent:", "enviado:", "date:", "fecha:", "enviado el:"]) }
            && next.contains { field($0, ["to:", "para:", "subject:", "asunto:"]) }
    }

    static func folded(_ line: [UInt8]) -> [UInt8] { InboundMail.folded(line) }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
