@testable import BelenusTemplates
import Testing

/// Models shaped like the site's: a page with a list of rows, an optional object, texts, flags.
struct Row: TemplateModel {
    var number: Int
    var title: String
    var closed: Bool
    var tags: [String]
    static let templateFields = TemplateFields<Row> {
        $0.number("number") { $0.number }
        $0.text("title") { $0.title }
        $0.flag("closed") { $0.closed }
        $0.texts("tags") { $0.tags }
    }
}

struct Person: TemplateModel {
    var name: String
    static let templateFields = TemplateFields<Person> { $0.text("name") { $0.name } }
}

struct ListPage: TemplateModel {
    var title: String
    var intro: HTML
    var rows: [Row]
    var owner: Person?
    var note: String
    static let templateFields = TemplateFields<ListPage> {
        $0.text("title") { $0.title }
        $0.html("intro_html") { $0.intro }
        $0.list("rows") { $0.rows }
        $0.object("owner", \.owner)
        $0.text("note") { $0.note }
    }
}

@Suite struct LinkedTemplateTests {
    static let templates = [
        "page": """
            {{<layout}}{{$main}}
            <h1 title="{{title}}">{{title}}</h1>
            {{{intro_html}}}
            <ul>
              {{>row}}
            </ul>
            {{#owner}}<p>{{name}} · {{title}}</p>{{/owner}}{{^owner}}<p>nadie</p>{{/owner}}
            {{#note}}<p class="note">{{.}}</p>{{/note}}{{^rows}}<p>vacío</p>{{/rows}}
            {{/main}}{{/layout}}
            """,
        "row": "{{#rows}}\n<li>{{number}} {{title}}{{#closed}} ✓{{/closed}}{{#tags}} <b>{{.}}</b>{{/tags}} {{owner.name}}</li>\n{{/rows}}\n",
        "layout": "<main>{{$main}}{{/main}}</main>\n",
    ]

    static func library(_ sources: [String: String] = templates) throws -> TemplateLibrary {
        try TemplateLibrary(Dictionary(uniqueKeysWithValues: sources.map { ($0.key, TemplateLibrary.Source(file: "\($0.key).mustache", text: $0.value)) }))
    }

    static let models: [ListPage] = [
        ListPage(title: "Lista \"1\u{0301}\" <x>", intro: HTML("<p>hola</p>"), rows: [
            Row(number: 1, title: "a & b", closed: true, tags: ["x", "<y>"]),
            Row(number: 2, title: "'c'", closed: false, tags: []),
        ], owner: Person(name: "Ana <b>"), note: "nota"),
        ListPage(title: "", intro: .empty, rows: [], owner: nil, note: ""),
    ]

    /// The linked program renders what the spec's renderer renders from the same values.
    @Test(arguments: models)
    func typedRenderingMatchesTheUntypedRenderer(_ model: ListPage) throws {
        let library = try Self.library()
        let linked = try LinkedTemplate<ListPage>("page", in: library)
        let typed = linked.render(model)
        let untyped = library.render("page", model.templateValue)
        #expect(String(decoding: typed, as: UTF8.self) == String(decoding: untyped, as: UTF8.self))
        #expect(typed.count > 20)
    }

    @Test func theOutputIsWhatTheTemplateSays() throws {
        let out = try LinkedTemplate<ListPage>("page", in: Self.library()).text(Self.models[0])
        #expect(out.contains("<h1 title=\"Lista &quot;1\u{0301}&quot; &lt;x&gt;\">"))
        #expect(out.contains("<p>hola</p>"))
        #expect(out.contains("\n  <li>1 a &amp; b ✓ <b>x</b> <b>&lt;y&gt;</b> Ana &lt;b&gt;</li>\n  <li>2 &#39;c&#39; Ana &lt;b&gt;</li>\n</ul>"))
        #expect(out.contains("<p>Ana &lt;b&gt; · Lista"))
        #expect(out.hasPrefix("<main>") && out.hasSuffix("</main>\n"))
    }

    /// The program is flat (`Program`): a section's body is the steps after it, up to its end,
    /// and adjacent bytes are joined. Bytes right after a section stay after it, at every depth,
    /// whether the section renders once, many times or not at all.
    @Test func bytesAfterASectionStayAfterIt() throws {
        let library = try Self.library(["page": "a{{#rows}}b{{#closed}}c{{/closed}}d{{#tags}}e{{.}}{{/tags}}f{{/rows}}g{{^rows}}h{{/rows}}i"])
        let linked = try LinkedTemplate<ListPage>("page", in: library)
        let model = ListPage(title: "", intro: .empty, rows: [
            Row(number: 1, title: "", closed: true, tags: ["x"]), Row(number: 2, title: "", closed: false, tags: []),
        ], owner: nil, note: "")
        #expect(linked.text(model) == "abcdexfbdfgi")
        #expect(linked.text(Self.models[1]) == "aghi")
        #expect(linked.text(model) == String(decoding: library.render("page", model.templateValue), as: UTF8.self))
    }

    /// Mistakes a webmaster can make are errors when the theme loads, naming file, line, column.
    @Test(arguments: [
        ("<p>{{titel}}</p>", "page.mustache:1:4: 'titel' is not a name here: ListPage (intro_html, note, owner, rows, title)"),
        ("{{{title}}}", "page.mustache:1:1: 'title' is text, not HTML: write it escaped, {{title}}"),
        ("{{rows}}", "page.mustache:1:1: 'rows' is a list: write it with {{#rows}}…{{/rows}}"),
        ("{{#rows}}{{.}}{{/rows}}", "page.mustache:1:10: '.' here is not a text: it names the current value only inside a section over texts"),
        ("{{owner.age}}", "page.mustache:1:1: 'owner.age': Person has no 'age' (it has name)"),
        ("{{title.x}}", "page.mustache:1:1: 'title.x': 'ListPage's 'title' is text, which has no 'x'"),
        ("\n  {{>nada}}", "page.mustache:2:3: no template 'nada' to include"),
        ("{{>page}}", "page.mustache:1:1: 'page' includes itself (page → page)"),
        (String(repeating: "{{#rows}}", count: 17) + String(repeating: "{{/rows}}", count: 17), "page.mustache:1:145: sections nest more than 16 deep"),
    ])
    func aNameTheModelDoesNotHaveIsALoadError(_ text: String, _ message: String) throws {
        let library = try TemplateLibrary(["page": TemplateLibrary.Source(file: "page.mustache", text: text)])
        #expect { try LinkedTemplate<ListPage>("page", in: library) } throws: { "\($0)" == message }
    }
}

/// The globals of a slotted page: the session's token is the slot.
struct Session: TemplateModel {
    var csrf: String
    static let templateFields = TemplateFields<Session> { $0.text("csrf") { $0.csrf } }
}

@Suite struct TemplateSlotTests {
    /// Wherever the theme writes `{{csrf}}` (in a layout, a partial, a list's rows, an attribute
    /// in any order), the engine records where; a field of the same name in the model is not it.
    @Test func theSlotIsRecordedWhereverTheTemplateWritesIt() throws {
        let library = try LinkedTemplateTests.library([
            "page": "{{<layout}}{{$main}}{{#rows}}<form><input value=\"{{csrf}}\" name=\"csrf\">{{title}}</form>{{/rows}}{{#owner}}{{name}}{{/owner}}{{/main}}{{/layout}}",
            "layout": "<nav><input type=hidden name=csrf value={{csrf}}></nav>{{$main}}{{/main}}{{>foot}}",
            "foot": "<p>{{csrf}}</p>",
        ])
        let page = try LinkedTemplate<ListPage>("page", in: library, globals: Session.self, slot: "csrf")
        let model = ListPage(title: "", intro: .empty, rows: [Row(number: 1, title: "uno", closed: false, tags: []), Row(number: 2, title: "dos", closed: false, tags: [])],
                             owner: Person(name: "Ana"), note: "")
        let (output, slots) = page.renderMarkingSlots(model, globals: Session(csrf: ""))
        #expect(slots.count == 4)
        var filled = output
        for slot in slots.reversed() { filled.insert(contentsOf: Array("T".utf8), at: slot) }
        #expect(String(decoding: filled, as: UTF8.self)
                == "<nav><input type=hidden name=csrf value=T></nav><form><input value=\"T\" name=\"csrf\">uno</form><form><input value=\"T\" name=\"csrf\">dos</form>Ana<p>T</p>")
        // The same render with the value: the same page.
        #expect(page.render(model, globals: Session(csrf: "T")) == filled)
    }
}

/// Objects read in place (at a stored property's offset) and by key path (a computed one), each
/// optional or not, behind other fields, in the items of a list: the same text as the spec's
/// renderer gives for the same values.
struct Card: TemplateModel {
    var pad: Int8
    var first: Person?
    var note: String
    var second: Person
    var people: [Holder]
    var computed: Person? { first.map { Person(name: $0.name + "*") } }
    var always: Person { Person(name: note) }
    static let templateFields = TemplateFields<Card> {
        $0.object("first", \.first)
        $0.object("second", \.second)
        $0.object("computed", \.computed)
        $0.object("always", \.always)
        $0.list("people") { $0.people }
    }

    struct Holder: TemplateModel {
        var flag: Bool
        var person: Person?
        static let templateFields = TemplateFields<Holder> { $0.object("person", \.person) }
    }
}

@Suite struct InPlaceObjectTests {
    @Test(arguments: [
        Card(pad: 1, first: Person(name: "Ana"), note: "nota", second: Person(name: "Luis"),
             people: [.init(flag: true, person: Person(name: "Eva")), .init(flag: false, person: nil)]),
        Card(pad: 2, first: nil, note: "", second: Person(name: "Sol"), people: []),
    ])
    func objectsReadInPlaceRenderAsTheirValues(_ card: Card) throws {
        let library = try LinkedTemplateTests.library([
            "card": "{{#first}}[{{name}}]{{/first}}{{^first}}(sin){{/first}} {{second.name}} {{first.name}} {{#computed}}{{name}}{{/computed}}"
                + " {{always.name}}{{#people}}<{{#person}}{{name}}{{/person}}{{^person}}-{{/person}}{{person.name}}>{{/people}}",
        ])
        let typed = try LinkedTemplate<Card>("card", in: library).text(card)
        #expect(typed == String(decoding: library.render("card", card.templateValue), as: UTF8.self))
        #expect(typed.contains(card.second.name))
        if let first = card.first { #expect(typed.hasPrefix("[\(first.name)] \(card.second.name) \(first.name) \(first.name)*")) }
        else { #expect(typed.hasPrefix("(sin)")) }
    }
}
