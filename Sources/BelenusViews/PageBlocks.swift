import BelenusFiles
import Foundation

/// The audience blocks of a ticket page: the client's forms between `<!--belenus:client-->` and
/// `<!--/belenus:client-->`, the staff's between `<!--belenus:staff-->` and `<!--/belenus:staff-->`.
///
/// The gateway edits generated pages as bytes (it answers with bytes): no String is made of a
/// page on the way out.
public enum PageBlocks {
    /// Removes every block `name` (markers included).
    public static func cut(_ html: String, block name: String) -> String {
        String(decoding: cut(Array(html.utf8), block: name), as: UTF8.self)
    }

    /// Removes every block `name` (markers included).
    public static func cut(_ page: [UInt8], block name: String) -> [UInt8] {
        let open = Array("<!--belenus:\(name)-->".utf8), close = Array("<!--/belenus:\(name)-->".utf8)
        var kept: [UInt8] = []
        kept.reserveCapacity(page.count)
        var at = 0
        while let start = find(open, in: page, from: at), let end = find(close, in: page, from: start + open.count) {
            kept.append(contentsOf: page[at..<start])
            at = end + close.count
        }
        kept.append(contentsOf: page[at...])
        return kept
    }

    /// `page` with every `target` replaced by `replacement`.
    public static func replacing(_ target: String, with replacement: String, in page: [UInt8]) -> [UInt8] {
        let target = Array(target.utf8), replacement = Array(replacement.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(page.count)
        var at = 0
        while let found = find(target, in: page, from: at) {
            result.append(contentsOf: page[at..<found])
            result.append(contentsOf: replacement)
            at = found + target.count
        }
        result.append(contentsOf: page[at...])
        return result
    }

    /// Where `needle` first starts in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, from <= haystack.count - needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                var i = from
                while i <= hay.count - n.count {
                    if hay[i] == first, memcmp(hay.baseAddress! + i, n.baseAddress!, n.count) == 0 { return i }
                    i += 1
                }
                return nil
            }
        }
    }
}
