import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusViews
import Foundation
import Testing

@Test(arguments: [
    ("\"\u{0301}", "&quot;\u{0301}"),
    ("<\u{0301}script>", "&lt;\u{0301}script&gt;"),
    ("a & b 'c'", "a &amp; b &#39;c&#39;"),
    ("Nómina ✓", "Nómina ✓"),
])
func theEscaperWorksOnScalarsNotCharacters(_ input: String, _ escaped: String) {
    #expect(HTMLEscaper.escape(input).unicodeScalars.elementsEqual(escaped.unicodeScalars))
}

@Test func cmarkDropsRawHTMLAndJavascriptLinks() {
    let html = Markdown.text("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2))")
    #expect(!html.contains("<script"))
    #expect(!html.contains("<img"))
    #expect(!html.lowercased().contains("javascript:"))
    #expect(html.contains("raw HTML omitted"))
}

/// Payloads in every place user text reaches a page: titles, bodies, comments, front matter.
@Test func noMarkupOrScriptFromUserTextReachesAnyPage() throws {
    let site = try SiteFixture()
    let evilTitle = "x\"\u{0301} onmouseover=alert(1) <\u{0301}script>alert(1)</script>"
    let evilBody = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[clic](javascript:alert(3))\n\n<a href=\"javascript:alert(4)\">a</a>"
    try site.writeArticle("malo.md", """
        ---
        title: '\(evilTitle)'

        product: "<b>Nómina</b>"
        tags: ["<script>", '"\u{0301}']
        ---
        \(evilBody)
        """)
    let ticket = try site.openTicket(title: evilTitle, body: evilBody)
    let change = try ticket.comment(evilBody, by: site.tech, at: Date(), clock: .wallClock)
    try site.store.record(change, replacingRevision: ticket.revision)
    _ = try site.build()

    let files = try site.allOutput()
    #expect(files.keys.contains("private/tickets/1/index.html"))
    #expect(files.keys.contains("public/kb/malo/index.html"))
    // The text did reach the pages, escaped.
    let page = try #require(files["private/tickets/1/index.html"])
    #expect(page.contains("x&quot;\u{0301} onmouseover=alert(1) &lt;\u{0301}script&gt;"))
    #expect(try #require(files["public/kb/malo/index.html"]).contains("&lt;b&gt;Nómina&lt;/b&gt;"))
    for (path, text) in files where !path.hasPrefix("public/assets/") {
        let lower = text.lowercased()
        #expect(!lower.contains("<script>alert"), "script tag in \(path)")
        #expect(!lower.contains("<\u{0301}script"), "combining-mark tag in \(path)")
        #expect(!lower.contains("onerror="), "event handler in \(path)")
        #expect(!lower.contains("javascript:"), "javascript: link in \(path)")
        let scalars = Array(text.unicodeScalars)
        #expect(!zip(scalars, scalars.dropFirst()).contains { $0 == "\"" && $1 == "\u{0301}" }, "raw quote + U+0301 in \(path)")
        #expect(!lower.contains("<b>nómina"), "markup from front matter in \(path)")
    }
}
