import BelenusFiles
import BelenusSite
import BelenusViews
import Testing

/// The gateway's edits of a generated page, done on its bytes.
@Suite struct PageBlocksTests {
    let html = "a<!--belenus:client-->C<!--/belenus:client-->b<!--belenus:staff-->S1<!--/belenus:staff-->c<!--belenus:staff-->S2<!--/belenus:staff-->"

    @Test func theOtherAudiencesFormsAreCutOut() {
        #expect(PageBlocks.cut(html, block: "staff") == "a<!--belenus:client-->C<!--/belenus:client-->bc")
        #expect(PageBlocks.cut(html, block: "client") == "ab<!--belenus:staff-->S1<!--/belenus:staff-->c<!--belenus:staff-->S2<!--/belenus:staff-->")
        #expect(PageBlocks.cut(Array(html.utf8), block: "staff") == Array("a<!--belenus:client-->C<!--/belenus:client-->bc".utf8))
    }

    @Test func aBlockWithoutItsEndIsLeftAlone() {
        let open = "x<!--belenus:staff-->y"
        #expect(PageBlocks.cut(open, block: "staff") == open)
        #expect(PageBlocks.cut("", block: "staff") == "")
    }

    @Test func everyOccurrenceIsReplacedAndNothingElse() {
        let page = Array("<input name=\"csrf\" value=\"\">ñ<input name=\"csrf\" value=\"\">".utf8)
        let filled = PageBlocks.replacing("name=\"csrf\" value=\"\"", with: "name=\"csrf\" value=\"abc\"", in: page)
        #expect(String(decoding: filled, as: UTF8.self) == "<input name=\"csrf\" value=\"abc\">ñ<input name=\"csrf\" value=\"abc\">")
        #expect(PageBlocks.replacing("zz", with: "y", in: Array("z".utf8)) == Array("z".utf8))
        #expect(PageBlocks.replacing("ab", with: "", in: Array("abab".utf8)) == [])
    }
}
