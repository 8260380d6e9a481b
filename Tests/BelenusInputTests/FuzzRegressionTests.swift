import BelenusCore
import Foundation
@testable import BelenusInput
import Testing

/// Inputs a fuzz target once failed on (their files are in Tests/Fuzz/regressions/), each as a
/// test of what the parser must do instead.
@Suite struct FuzzRegressionTests {
    /// cookie, 2026-11-29: `;` then U+09C8 is one Character, so splitting the header by Character
    /// kept the separator inside a value and merged two cookies.
    @Test func aCombiningMarkAfterASeparatorDoesNotGlueCookiesTogether() throws {
        let request = CGIRequest(environment: ["HTTP_COOKIE": "lang=es;\u{09C8}x=1; belenus_session=abc;\u{0301}belenus_csrf=def"])
        #expect(request.cookies == ["lang": "es", "\u{09C8}x": "1", "belenus_session": "abc", "\u{0301}belenus_csrf": "def"])
        // The fuzzer's own input, as the CGI environment would carry it (no NUL, UTF-8 decoded).
        let found: [UInt8] = [0x62, 0x61, 0x3d, 0x47, 0x41, 0x32, 0x2e, 0x62, 0x32, 0x2e, 0x3b, 0x33, 0x20, 0x3d, 0x64, 0x32, 0x73, 0x3b,
                              0xe0, 0xa7, 0x88, 0x61, 0x3d, 0x2a, 0x47, 0x31, 0x2e, 0x29, 0x3b, 0x20, 0x62, 0xf1, 0x3d, 0x65, 0x6e]
        let cookies = CGIRequest(environment: ["HTTP_COOKIE": String(decoding: found, as: UTF8.self)]).cookies
        #expect(cookies.count == 4 && cookies.allSatisfy { !$0.key.contains(";") && !$0.value.contains(";") }, "\(cookies)")
    }

    /// cookie, 2026-11-29 (CI's 15 s run): the target's own check used `String.contains`, for which
    /// U+037E (Greek question mark) "contains" `;` by canonical equivalence. It is not a separator.
    @Test func aGreekQuestionMarkIsNotASemicolon() throws {
        let cookies = CGIRequest(environment: ["HTTP_COOKIE": "a=1\u{037E}b=2; c=3"]).cookies
        #expect(cookies == ["a": "1\u{037E}b=2", "c": "3"])
        let a = try #require(cookies["a"])
        #expect(a.contains(";") && !a.utf8.contains(UInt8(ascii: ";")))
    }

    /// The same cut by bytes everywhere a header is split: the boundary parameter, the media
    /// type, a part's headers and their quoted parameters.
    @Test func otherHeadersSplitAtTheirSeparatorsDespiteCombiningMarks() throws {
        #expect(try MultipartParser.boundary(of: "multipart/form-data; boundary=XyZ;\u{0301}") == Array("XyZ".utf8))
        let request = CGIRequest(environment: ["CONTENT_TYPE": "application/x-www-form-urlencoded;\u{0301} charset=utf-8"])
        #expect(request.mediaType == "application/x-www-form-urlencoded")
        let parameters = try MultipartParser.parameters("form-data; name=\"a;\u{0301}\"; filename=\"b\u{0301}.txt\"")
        #expect(parameters.contains { $0 == ("name", "a;\u{0301}") } && parameters.contains { $0 == ("filename", "b\u{0301}.txt") }, "\(parameters)")
        // A quote followed by a combining mark still ends its string: what follows is refused.
        #expect(throws: GatewayError.self) { try MultipartParser.parameters("form-data; name=\"a\"\u{0301}; filename=\"b.txt\"") }
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

    /// urlencoded, 2026-11-30 (a clean clone's CI): NUL then U+0483 is one Character that is not
    /// "\0", so `contains("\u{0}")` let it through and the value was stored cut at the NUL.
    @Test func aNULFollowedByACombiningMarkIsRefusedNamingItsField() throws {
        let found = try #require(FileManager.default.contents(atPath: Self.regressions + "/urlencoded/nul-then-combining-mark"))
        #expect(Array(found) == [0x00, 0xD2, 0x83, 0x34])
        #expect(throws: GatewayError.self) { try FormFields.parseURLEncoded(Array(found)) }
        for body in ["body=hola%00%D2%83x", "title=ok&body=hola%00x", "body=%00", "a%00%CC%81=1"] {
            #expect { try FormFields.parseURLEncoded(Array(body.utf8)) } throws: {
                let error = $0 as? GatewayError
                return error?.status == 400 && error?.code == "nul_character" && (error?.field == "body" || body.hasPrefix("a"))
            }
        }
        let multipart = Array("--B\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhola\u{0}\u{0483}x\r\n--B--\r\n".utf8)
        #expect { try MultipartParser(boundary: Array("B".utf8), maxFiles: 3, maxFileBytes: 100).parse(multipart) } throws: {
            ($0 as? GatewayError)?.field == "body"
        }
    }

    /// A file name with a control character, combining mark or not, is refused on the field
    /// `file`; one with a quote and a combining mark is kept byte for byte.
    @Test func fileNamesAreJudgedByScalar() throws {
        func parse(_ filename: String) throws -> FormFields {
            let body = Array("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n\r\nabc\r\n--B--\r\n".utf8)
            return try MultipartParser(boundary: Array("B".utf8), maxFiles: 3, maxFileBytes: 100).parse(body)
        }
        for bad in ["a\u{0}b", "a\u{0}\u{0483}b", "a\r\u{0301}b", "a\n\u{0301}b"] {
            #expect { try parse(bad) } throws: { ($0 as? GatewayError)?.field == "file" && ($0 as? GatewayError)?.status == 400 }
        }
        #expect(Array(try parse("a\\\"\u{0301}b.txt").files[0].filename.utf8) == Array("a\"\u{0301}b.txt".utf8))
        #expect(Array(try parse("a<\u{0301}b.txt").files[0].filename.utf8) == Array("a<\u{0301}b.txt".utf8))
        // An unescaped quote ends the quoted string: what follows it is refused, not dropped.
        for cut in ["a\"\u{0301}b.txt", "a\"b.txt", "a.txt"] {
            let body = Array("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(cut)\r\n\r\nabc\r\n--B--\r\n".utf8)
            #expect { try MultipartParser(boundary: Array("B".utf8), maxFiles: 3, maxFileBytes: 100).parse(body) } throws: {
                ($0 as? GatewayError)?.field == "file"
            }
        }
    }

    /// RFC 3875 §4.1.2: CONTENT_LENGTH is digits. Anything else is the client's error, a 400
    /// answered before the route, and no body is read.
    @Test(arguments: ["-5", "abc", "1.5", " 12", "12 ", "+5", "0x10", "１２"])
    func aMalformedContentLengthIsTheClientsError(_ length: String) {
        let request = CGIRequest(environment: ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": length])
        #expect(request.malformed?.status == 400)
        #expect(request.contentLength == 0)
    }

    @Test func aWellFormedContentLengthIsRead() {
        #expect(CGIRequest(environment: ["CONTENT_LENGTH": "012"]).contentLength == 12)
        #expect(CGIRequest(environment: ["CONTENT_LENGTH": "012"]).malformed == nil)
        #expect(CGIRequest(environment: [:]).malformed == nil)
    }

    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Fuzz/regressions"
}
