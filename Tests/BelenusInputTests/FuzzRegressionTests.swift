@testable import BelenusInput
import Testing

/// Inputs a fuzz target once failed on (their files are in Tests/Fuzz/regressions/), each as a
/// test of what the parser must do instead.
@Suite struct FuzzRegressionTests {
    /// cookie, 2026-11-29: `;` then U+09C8 is one Character, so splitting the header by Character
    /// kept the separator inside a value and merged two cookies.
    @Test func aCombiningMarkAfterASeparatorDoesNotGlueCookiesTogether() throws {
        let request = try CGIRequest(environment: ["HTTP_COOKIE": "lang=es;\u{09C8}x=1; belenus_session=abc;\u{0301}belenus_csrf=def"])
        #expect(request.cookies == ["lang": "es", "\u{09C8}x": "1", "belenus_session": "abc", "\u{0301}belenus_csrf": "def"])
        // The fuzzer's own input, as the CGI environment would carry it (no NUL, UTF-8 decoded).
        let found: [UInt8] = [0x62, 0x61, 0x3d, 0x47, 0x41, 0x32, 0x2e, 0x62, 0x32, 0x2e, 0x3b, 0x33, 0x20, 0x3d, 0x64, 0x32, 0x73, 0x3b,
                              0xe0, 0xa7, 0x88, 0x61, 0x3d, 0x2a, 0x47, 0x31, 0x2e, 0x29, 0x3b, 0x20, 0x62, 0xf1, 0x3d, 0x65, 0x6e]
        let cookies = try CGIRequest(environment: ["HTTP_COOKIE": String(decoding: found, as: UTF8.self)]).cookies
        #expect(cookies.count == 4 && cookies.allSatisfy { !$0.key.contains(";") && !$0.value.contains(";") }, "\(cookies)")
    }

    /// cookie, 2026-11-29 (CI's 15 s run): the target's own check used `String.contains`, for which
    /// U+037E (Greek question mark) "contains" `;` by canonical equivalence. It is not a separator.
    @Test func aGreekQuestionMarkIsNotASemicolon() throws {
        let cookies = try CGIRequest(environment: ["HTTP_COOKIE": "a=1\u{037E}b=2; c=3"]).cookies
        #expect(cookies == ["a": "1\u{037E}b=2", "c": "3"])
        #expect(cookies["a"]!.contains(";") && !cookies["a"]!.utf8.contains(UInt8(ascii: ";")))
    }

    /// The same cut by bytes everywhere a header is split: the boundary parameter, the media
    /// type, a part's headers and their quoted parameters.
    @Test func otherHeadersSplitAtTheirSeparatorsDespiteCombiningMarks() throws {
        #expect(try MultipartParser.boundary(of: "multipart/form-data; boundary=XyZ;\u{0301}") == Array("XyZ".utf8))
        let request = try CGIRequest(environment: ["CONTENT_TYPE": "application/x-www-form-urlencoded;\u{0301} charset=utf-8"])
        #expect(request.mediaType == "application/x-www-form-urlencoded")
        let parameters = MultipartParser.parameters("form-data; name=\"a\"\u{0301}; filename=\"b.txt\"")
        #expect(parameters.contains { $0 == ("name", "a") } && parameters.contains { $0 == ("filename", "b.txt") }, "\(parameters)")
        let headers = try MultipartParser.headers(Array("Content-Disposition:\u{0301} form-data; name=\"t\"".utf8))
        #expect(headers.name == "t")
    }

    /// frontmatter, 2026-11-29: `Yams.load` force-unwraps every key as a string, so a key that
    /// is a list (`? [a]`) stopped `belenus build`; now it is an error naming the line.
    @Test func aKeyThatIsNotANameIsAnErrorNotACrash() throws {
        #expect { try KBArticle.parse("---\ntitle: A\n? [x, y]\n: z\n---\nCuerpo\n", file: "a.md") } throws: {
            "\($0)" == "a.md:3: front matter: a key must be a plain name"
        }
        #expect { try KBArticle.parse("---\ntitle: A\ntags: {a: 1}\n---\n", file: "a.md") } throws: {
            "\($0)" == "a.md:3: front matter: 'tags' must hold a value or a list of values"
        }
        // What articles do hold still reads: text, lists, dates, numbers, booleans.
        let article = try KBArticle.parse("---\ntitle: A\ntags: [nómina, isr]\nupdated: 2026-11-29\nsource_ticket: 7\ndraft: false\n---\nCuerpo\n", file: "a.md")
        #expect(article.tags == ["nómina", "isr"] && article.updated != nil && article.sourceTicket == 7 && !article.draft && article.body == "Cuerpo\n")
    }
}
