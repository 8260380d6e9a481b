/// The audience blocks of a ticket page: the client's forms between `<!--belenus:client-->` and
/// `<!--/belenus:client-->`, the staff's between `<!--belenus:staff-->` and `<!--/belenus:staff-->`.
public enum PageBlocks {
    /// Removes every block `name` (markers included).
    public static func cut(_ html: String, block name: String) -> String {
        var html = html
        while let start = html.range(of: "<!--belenus:\(name)-->"),
              let end = html.range(of: "<!--/belenus:\(name)-->", range: start.upperBound..<html.endIndex) {
            html.removeSubrange(start.lowerBound..<end.upperBound)
        }
        return html
    }
}
