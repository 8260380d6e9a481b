/// The audience blocks of a ticket page: the client's forms between `<!--belenus:client-->` and
/// `<!--/belenus:client-->`, the staff's between `<!--belenus:staff-->` and `<!--/belenus:staff-->`.
///
/// And the CSRF slots of a page the gateway serves from one file to many people: the places where
/// the template wrote `{{csrf}}`, recorded by the engine while rendering (`LinkedTemplate`'s
/// slot), listed on the file's last line. The gateway writes the session's token there: it never
/// searches a page for markup. It edits pages as bytes: no String is made of a page on the way out.
public enum PageBlocks {
    /// Removes every block `name` (markers included).
    public static func cut(_ html: String, block name: String) -> String {
        String(decoding: cut(Array(html.utf8), block: name), as: UTF8.self)
    }

    /// Removes every block `name` (markers included).
    public static func cut(_ page: [UInt8], block name: String) -> [UInt8] {
        let open = Array("<!--belenus:".utf8) + name.utf8 + Array("-->".utf8)
        let close = Array("<!--/belenus:".utf8) + name.utf8 + Array("-->".utf8)
        var kept: [UInt8] = []
        kept.reserveCapacity(page.count)
        var at = 0
        while let start = ByteText.firstIndex(of: open, in: page, from: at),
              let end = ByteText.firstIndex(of: close, in: page, from: start + open.count) {
            kept += page[at..<start]
            at = end + close.count
        }
        kept += page[at...]
        return kept
    }

    // MARK: - Slots

    /// The last line of a page that lists its slots: `<!--belenus:slots 1200 3456-->`, byte
    /// offsets in the page before it, in order, where the session's CSRF token goes.
    static let slotsLine = Array("<!--belenus:slots".utf8)

    /// `page` with its slots listed on a last line of its own (none: the page as it is). The
    /// gateway serves such a page only through `filled`, which takes the line off.
    public static func slotted(_ page: consuming [UInt8], slots: [Int]) -> [UInt8] {
        guard !slots.isEmpty else { return page }
        var page = page  // appended where it stands: the rendered page is not copied
        page += slotsLine
        page += slots.map { " \($0)" }.joined().utf8
        page += "-->\n".utf8
        return page
    }

    /// `page` with `value` written at each slot its last line lists, and that line taken off. A
    /// page without the line (an older build's) is returned as it is; so is one whose line does
    /// not describe it (offsets out of order or past its end): it is not guessed at.
    public static func filled(_ page: [UInt8], with value: String) -> [UInt8] {
        // By index over the bytes, as `CGIText.answer` (no reversed slices, no `Int(String)`).
        let end = page.count - 1  // the last line's "\n"
        guard end > 3, page[end] == UInt8(ascii: "\n"), page[end - 3] == UInt8(ascii: "-"), page[end - 2] == UInt8(ascii: "-"),
              page[end - 1] == UInt8(ascii: ">")
        else { return page }
        var lineStart = end
        while lineStart > 0, page[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        guard lineStart > 0, end - lineStart >= slotsLine.count + 3,
              page[lineStart..<(lineStart + slotsLine.count)].elementsEqual(slotsLine)
        else { return page }
        var slots: [Int] = []
        var number: Int?
        for byte in page[(lineStart + slotsLine.count)..<(end - 3)] + [UInt8(ascii: " ")] {
            if byte == UInt8(ascii: " ") {
                if let n = number {
                    guard n <= lineStart, n >= (slots.last ?? 0) else { return page }
                    slots.append(n)
                }
                number = nil
            } else {
                guard byte >= 48, byte <= 57, (number ?? 0) <= lineStart else { return page }
                number = (number ?? 0) * 10 + Int(byte - 48)
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(lineStart + slots.count * value.utf8.count)
        var at = 0
        for slot in slots {
            result += page[at..<slot]
            result += value.utf8
            at = slot
        }
        result += page[at..<lineStart]
        return result
    }
}
