import BelenusCore
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
        while let start = ByteText.firstIndex(of: open, in: page, from: at), let end = ByteText.firstIndex(of: close, in: page, from: start + open.count) {
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
        while let found = ByteText.firstIndex(of: target, in: page, from: at) {
            result.append(contentsOf: page[at..<found])
            result.append(contentsOf: replacement)
            at = found + target.count
        }
        result.append(contentsOf: page[at...])
        return result
    }
}
