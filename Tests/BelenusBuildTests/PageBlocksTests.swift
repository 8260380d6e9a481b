import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusBuild
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

    /// A page's CSRF slots travel on its last line; the gateway writes the token there and takes
    /// the line off, whatever the markup around them (no search of the page).
    @Test func theTokenGoesWhereTheSlotsSayAndTheLineGoesAway() {
        let page = Array("<input value=\"\" name=\"csrf\">ñ<input name=csrf value=>\n".utf8)
        let slots = [14, 53]
        let slotted = PageBlocks.slotted(page, slots: slots)
        #expect(String(decoding: slotted, as: UTF8.self).hasSuffix("\n<!--belenus:slots 14 53-->\n"))
        #expect(String(decoding: PageBlocks.filled(slotted, with: "abc"), as: UTF8.self)
                == "<input value=\"abc\" name=\"csrf\">ñ<input name=csrf value=abc>\n")
        #expect(PageBlocks.filled(slotted, with: "") == page)
        #expect(PageBlocks.slotted(page, slots: []) == page)
    }

    /// A last line that does not describe the page is not acted on: the page stays as it is.
    @Test(arguments: ["<!--belenus:slots 99-->\n", "<!--belenus:slots 5 2-->\n", "<!--belenus:slots x-->\n", "<!--belenus:slots 3-->"])
    func aLineThatDoesNotFitThePageIsIgnored(_ line: String) {
        let page = Array(("<p>hola</p>\n" + line).utf8)
        #expect(PageBlocks.filled(page, with: "abc") == page)
    }
}
