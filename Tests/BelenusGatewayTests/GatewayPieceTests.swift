@testable import BelenusGateway
import Testing

@Suite struct GatewayPieceTests {
    @Test func fileNamesAreDataNeverPaths() {
        #expect(AttachmentFiles.displayName("../../etc/passwd") == "passwd")
        #expect(AttachmentFiles.displayName("C:\\x\\informe.pdf") == "informe.pdf")
        #expect(AttachmentFiles.displayName("..") == "archivo")
        #expect(AttachmentFiles.displayName("a\u{0}b\r\nc\u{202E}d.txt") == "abcd.txt")
        let disposition = AttachmentFiles.contentDisposition("año \"1\".pdf")
        #expect(disposition == "attachment; filename=\"a_o _1_.pdf\"; filename*=UTF-8''a%C3%B1o%20%221%22.pdf")
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
        #expect(Secrets.constantTimeEquals(a, a) && !Secrets.constantTimeEquals(a, b) && !Secrets.constantTimeEquals(a, "x"))
    }
}
