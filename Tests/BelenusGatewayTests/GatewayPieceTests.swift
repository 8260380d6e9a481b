import BelenusCore
@testable import BelenusGateway
import Testing

@Suite struct GatewayPieceTests {
    @Test func fileNamesAreDataNeverPaths() {
        #expect(AttachmentFiles.displayName("../../etc/passwd") == "passwd")
        #expect(AttachmentFiles.displayName("C:\\x\\informe.pdf") == "informe.pdf")
        #expect(AttachmentFiles.displayName("..") == "archivo")
        // At most 200 scalars: "a" and 100,000 combining marks is one Character of 200 KB.
        #expect(AttachmentFiles.displayName("a" + String(repeating: "\u{301}", count: 100_000)).unicodeScalars.count == 200)
        #expect(AttachmentFiles.displayName("a\u{0}b\r\nc\u{202E}d.txt") == "abcd.txt")
        #expect(Array(AttachmentFiles.displayName("x/\u{0301}a\"\u{0301}.txt").utf8) == Array("\u{0301}a\"\u{0301}.txt".utf8))
        let disposition = AttachmentFiles.contentDisposition("año \"1\".pdf")
        #expect(disposition == "attachment; filename=\"a_o _1_.pdf\"; filename*=UTF-8''a%C3%B1o%20%221%22.pdf")
    }

    /// "Back" links come from the Referer: only a path on this site, judged by bytes ("//" then
    /// U+0301 was "/" and "/" + U+0301 to `hasPrefix`, and passed for a path).
    @Test(arguments: [
        ("/tickets/5", "/tickets/5"), ("http://127.0.0.1:8080/tickets?q=a", "/tickets?q=a"), ("https://x.example", "/"),
        ("//evil.example/x", nil), ("//\u{0301}evil.example", nil), ("/\\evil.example", nil), ("tickets", nil),
        ("http://h/\u{0301}/evil.example", "/\u{0301}/evil.example"), ("http://h//evil.example", "/"),
    ] as [(String, String?)])
    func backLinksStayOnThisSite(_ referer: String, _ path: String?) {
        #expect(Gateway.sameSitePath(referer).map { Array($0.utf8) } == path.map { Array($0.utf8) })
    }

    @Test func originsAreComparedAsTheyWereSent() {
        #expect(Gateway.origin(of: "HTTP://Soporte.example:8080/cgi-bin/belenus") == "http://soporte.example:8080")
        #expect(Gateway.origin(of: "http://h\u{0301}/x") == "http://h\u{0301}")
        #expect(Gateway.mediaType("image/png; charset=x") == "image/png")
        #expect(Gateway.mediaType("text/html\u{0301}") == "application/octet-stream")
        #expect(Gateway.mediaType("a/b/c") == "application/octet-stream")
    }

    @Test func responseHeadersCannotBeSplit() {
        let response = Response(status: 303, headers: [("Location", "/x\r\nSet-Cookie: evil=1")])
        let text = String(decoding: response.cgiBytes, as: UTF8.self)
        #expect(!text.contains("\r\nSet-Cookie"))
        #expect(text.hasPrefix("Status: 303 See Other\r\n"))
    }

    @Test func jsonEscapesMarkup() {
        #expect(JSON.object([("t", .string("</script>\"\n"))]).text == "{\"t\":\"\\u003c/script\\u003e\\\"\\n\"}")
    }

    @Test func tokensAre256BitsAndCompareInConstantTime() {
        let a = Secrets.newToken(), b = Secrets.newToken()
        #expect(a.count == 64 && a != b && a.allSatisfy(\.isHexDigit))
        #expect(Secrets.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ByteText.constantTimeEquals(a, a) && !ByteText.constantTimeEquals(a, b) && !ByteText.constantTimeEquals(a, "x"))
    }
}
