@testable import BelenusTemplates
import Testing

@Suite struct TemplateParserTests {
    func library(_ text: String, partials: [String: String] = [:]) throws(TemplateError) -> TemplateLibrary {
        var sources = ["page": TemplateLibrary.Source(file: "page.mustache", text: text)]
        for (name, text) in partials { sources[name] = TemplateLibrary.Source(file: "\(name).mustache", text: text) }
        return try TemplateLibrary(sources)
    }

    /// A broken template is an error naming file, line and column (in characters), never a crash.
    @Test(arguments: [
        ("<p>\n  {{#items}}<li>{{name}}</li>\n", "page.mustache:2:3: 'items' is opened here and never closed"),
        ("{{#a}}{{/b}}", "page.mustache:1:7: '{{/b}}' closes 'a', opened at line 1"),
        ("ñandú {{/a}}", "page.mustache:1:7: '{{/a}}' closes nothing"),
        ("a\nb {{title", "page.mustache:2:3: '{{' is never closed with '}}'"),
        ("{{{raw}}", "page.mustache:1:1: '{{' is never closed with '}}}'"),
        ("{{ }}", "page.mustache:1:1: a tag without a name"),
        ("{{a b}}", "page.mustache:1:1: 'a b' is not a name: no spaces inside a tag"),
        ("{{a..b}}", "page.mustache:1:1: 'a..b' is not a name"),
        ("{{=<% =}}", "page.mustache:1:1: a delimiter change needs two delimiters without '=', as in {{=<% %>=}}"),
        ("{{>*name}}", "page.mustache:1:1: dynamic names ('*name') are not supported: name the template"),
    ])
    func aBrokenTemplateNamesFileLineAndColumn(_ text: String, _ message: String) {
        #expect { try library(text) } throws: { "\($0)" == message }
    }

    /// `& < > " '` escaped by byte: a quote or `<` followed by a combining mark is still escaped.
    @Test func escapingWorksOnBytes() throws {
        let page = try library("<a title=\"{{t}}\">{{t}}</a>{{{t}}}")
        let value = TemplateValue.object(["t": .string("\"\u{0301} <\u{0301}b> & 'x'")])
        let out = String(decoding: page.render("page", value), as: UTF8.self)
        #expect(Array(out.utf8) == Array("<a title=\"&quot;\u{0301} &lt;\u{0301}b&gt; &amp; &#39;x&#39;\">&quot;\u{0301} &lt;\u{0301}b&gt; &amp; &#39;x&#39;</a>\"\u{0301} <\u{0301}b> & 'x'".utf8))
    }

    /// A dotted name is cut at its dots by byte: "." followed by a combining mark is one
    /// `Character` that is not ".", and a `split` on characters left "a.\u{0301}b" whole.
    @Test func dottedNamesAreCutByByte() throws {
        let page = try library("[{{a.\u{0301}b}}]")
        let value = TemplateValue.object(["a": .object(["\u{0301}b": .string("x")]), "a.\u{0301}b": .string("whole")])
        #expect(String(decoding: page.render("page", value), as: UTF8.self) == "[x]")
    }

    @Test func aStandalonePartialIsIndentedLineByLine() throws {
        let page = try library("<ul>\n  {{>item}}\n</ul>\n", partials: ["item": "{{#items}}\n<li>{{.}}</li>\n{{/items}}\n"])
        let out = page.render("page", .object(["items": .list([.string("a\nb"), .string("c")])]))
        #expect(String(decoding: out, as: UTF8.self) == "<ul>\n  <li>a\nb</li>\n  <li>c</li>\n</ul>\n")
    }

    @Test func blocksAreFilledByTheOutermostChild() throws {
        let page = try library("{{<layout}}{{$main}}<p>{{title}}</p>{{/main}}{{/layout}}",
                               partials: ["layout": "<title>{{$head}}{{title}}{{/head}}</title><main>{{$main}}nada{{/main}}</main>"])
        let out = page.render("page", .object(["title": .string("Hola")]))
        #expect(String(decoding: out, as: UTF8.self) == "<title>Hola</title><main><p>Hola</p></main>")
    }

    /// template fuzz target, 2026-11-30: a partial that includes itself twice doubled the work at
    /// each of 64 levels (out of memory), and one that includes itself inside a section copied
    /// the context stack at each level (a timeout). Rendering stops at a budget of nodes, and the
    /// stack is pushed in place.
    @Test func aPartialThatIncludesItselfTwiceEnds() throws {
        let page = try library("{{>p}}", partials: ["p": "x{{>p}}{{>p}}"])
        let out = page.render("page", .object([:]))
        #expect(out.count > 1000 && out.count <= 1 << 20)
        let nested = try library(String(repeating: "{{#items}}", count: 40) + "x" + String(repeating: "{{/items}}", count: 40))
        #expect(nested.render("page", .object(["items": .list([.int(1), .int(2)])])).count <= 1 << 20)
    }
}
