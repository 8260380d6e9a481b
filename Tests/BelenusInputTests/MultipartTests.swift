import BelenusCore
@testable import BelenusInput
import Testing

@Suite struct MultipartTests {
    let parser = MultipartParser(boundary: Array("XyZ".utf8), maxFiles: 2, maxFileBytes: 10)

    func parse(_ text: String) throws(GatewayError) -> FormFields { try parser.parse(Array(text.utf8)) }

    @Test func fieldsAndFilesWithQuotedNamesAndAPreamble() throws {
        let form = try parse("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHola; \"mundo\"\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\\\"b.txt\"\r\nContent-Type: text/plain\r\n\r\n0123456789\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--XyZ--\r\n")
        #expect(form.value("title") == "Hola; \"mundo\"")
        #expect(form.files.count == 1)  // the empty file input is not a file
        #expect(form.files.first?.filename == "a\"b.txt")
        #expect(form.files.first?.bytes == Array("0123456789".utf8))
    }

    @Test func contentThatLooksLikeTheBoundaryWithoutCRLFIsContent() throws {
        let form = try parse("--XyZ\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\na--XyZb\r\n--XyZ--")
        #expect(form.value("body") == "a--XyZb")
    }

    @Test(arguments: [
        ("--XyZ\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nnever ends", 400, "body"),
        ("no delimiter at all", 400, "Content-Type"),
        ("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", 400, "form"),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n\u{FFFD}\r\n--XyZ--", 0, ""),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"other\"; filename=\"x\"\r\n\r\n1\r\n--XyZ--", 400, "other"),
    ])
    func brokenBodiesNameTheirField(_ body: String, _ status: Int, _ field: String) {
        do {
            _ = try parse(body)
            #expect(status == 0, "parsed, expected \(status)")
        } catch {
            #expect(error.status == status && error.field == field, "\(error)")
        }
    }

    /// A file too many or too large is left out and named, and the fields are kept, those after
    /// it too: the form comes back with what was typed (SPEC §5).
    @Test func threeFilesWhenTwoAreAllowedIsA400OnFileAndTheFieldsStay() throws {
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n1\r\n"
        let form = try parse(part + part + part + "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n--XyZ--")
        #expect(form.fileError?.status == 400 && form.fileError?.field == "file" && form.fileError?.code == "too_many_files")
        #expect(form.value("title") == "T" && form.files.count == 2)
    }

    @Test func aFileOverTheLimitIsA413OnFileAndTheFieldsStay() throws {
        let form = try parse("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n01234567890\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"y\"\r\n\r\n0\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nB\r\n--XyZ--")
        #expect(form.fileError?.status == 413 && form.fileError?.values == ["x", "10"])
        #expect(form.value("title") == "T" && form.value("body") == "B")
        #expect(form.files.isEmpty)  // none kept once one was refused: the request is refused
    }

    @Test func invalidUTF8InAFieldNamesIt() {
        var bytes = Array("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n".utf8)
        bytes += [0xC3, 0x28] + Array("\r\n--XyZ--".utf8)
        do {
            _ = try parser.parse(bytes)
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.field == "title" && error.status == 400)
        }
    }

    @Test func boundaryParameterIsRequiredAndBounded() throws {
        #expect(try MultipartParser.boundary(of: "multipart/form-data; boundary=\"a b\"") == Array("a b".utf8))
        #expect(throws: GatewayError.self) { try MultipartParser.boundary(of: "multipart/form-data") }
        #expect(throws: GatewayError.self) { try MultipartParser.boundary(of: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) }
    }

    @Test func urlencodedDecodesPlusAndPercentAndRefusesBadUTF8() throws {
        let form = try FormFields.parseURLEncoded(Array("a=1+2%2B3&b=%C3%B1&c".utf8))
        #expect(form.value("a") == "1 2+3" && form.value("b") == "ñ" && form.value("c") == "")
        #expect(throws: GatewayError.self) { try FormFields.parseURLEncoded(Array("title=%FF".utf8)) }
        #expect(throws: GatewayError.self) { try FormFields.parseURLEncoded(Array("title=a%00b".utf8)) }
    }

    @Test func cookiesAreSplitAndTrimmedAndTheFirstOfANameWins() throws {
        let request = CGIRequest(environment: ["HTTP_COOKIE": " a = 1 ;b=2;\ta=3; c=x=y ;broken; ñ=é\t"])
        #expect(request.cookies == ["a": "1", "b": "2", "c": "x=y", "ñ": "é"])
        #expect(CGIRequest(environment: [:]).cookies == [:])
    }
}
