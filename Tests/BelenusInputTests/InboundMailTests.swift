import BelenusInput
import Foundation
import Testing

// Replies by mail (SPEC §7, issue 33): the message parser and the new text, against replies as
// the clients write them (Fixtures/replies/CLIENT-….eml, the new text in CLIENT-….txt; made by
// Python's email package: quoted-printable, base64, 8bit, ISO-8859-1, Windows-1252, HTML only,
// multipart/alternative and mixed, Spanish and English quote headers, LF and CRLF).

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/replies").path

private func replies() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
}

@Test func theCorpusHoldsTenRepliesOrMore() {
    #expect(replies().count >= 10)
}

@Test(arguments: replies())
func aRepliesNewTextIsExactlyWhatThePersonWrote(file: String) throws {
    let bytes = try #require(FileManager.default.contents(atPath: "\(fixtures)/\(file)"))
    let expected = try String(contentsOfFile: "\(fixtures)/\(file.dropLast(4)).txt", encoding: .utf8)
    let mail = try InboundMail(Array(bytes))
    #expect(ReplyText.newText(mail.text) == expected, "\(file): \(mail.text)")
    #expect(mail.automaticReason == nil)
    #expect(mail.recipientAddresses.contains("soporte+t12-p3-k1-0123456789abcdef01234567@example.mx"))
    #expect(mail.fromAddress?.hasSuffix(".mx") == true && mail.messageID?.contains("@") == true)
    #expect(mail.subject.hasPrefix("Re: [#12]") || mail.subject.hasPrefix("RE: [#12]"), "\(mail.subject)")
}

@Test func aRepliesFileIsKeptAndTheSenderIsReadWithoutItsName() throws {
    let bytes = try #require(FileManager.default.contents(atPath: "\(fixtures)/apple-mail-en-attachment.eml"))
    let mail = try InboundMail(Array(bytes))
    #expect(mail.files == [InboundMail.File(name: "factura.xml", contentType: "application/xml", bytes: Array("<cfdi:Comprobante/>".utf8))])
    #expect(mail.fromAddress == "bob@beta.mx")
    let latin = try InboundMail(Array(try #require(FileManager.default.contents(atPath: "\(fixtures)/outlook-desktop-es-latin1.eml"))))
    #expect(latin.fromAddress == "carlos@acme.mx" && latin.text.contains("Núñez"))
}

@Test func automaticMailIsRecognised() throws {
    func mail(_ headers: String, body: String = "Estoy fuera de la oficina.") throws -> InboundMail {
        try InboundMail(Array("From: ana@acme.mx\nTo: soporte@example.mx\n\(headers)\n\n\(body)\n".utf8))
    }
    #expect(try mail("Auto-Submitted: auto-replied").automaticReason?.contains("Auto-Submitted") == true)
    #expect(try mail("Auto-Submitted: no").automaticReason == nil)
    #expect(try mail("Precedence: bulk").automaticReason?.contains("bulk") == true)
    #expect(try mail("Return-Path: <>").automaticReason?.contains("Return-Path") == true)
    #expect(try mail("X-Autoreply: yes").automaticReason != nil)
    let report = """
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"
        MIME-Version: 1.0

        --b1
        Content-Type: text/plain

        Delivery to ana@acme.mx failed.
        --b1
        Content-Type: message/delivery-status

        Final-Recipient: rfc822; ana@acme.mx
        --b1--
        """
    #expect(try mail(report).automaticReason?.contains("report") == true)
}

@Test func whatIsNotAMessageIsRefusedAndHostileNestingStaysCheap() throws {
    #expect(throws: InboundMailError.self) { try InboundMail(Array("hola, esto no es un correo\n".utf8)) }
    #expect(throws: InboundMailError.self) { try InboundMail([]) }
    // A thousand nested multiparts: parsed to the depth limit, quickly, without a crash.
    var text = "From: a@b.mx\nContent-Type: multipart/mixed; boundary=\"x\"\n\n"
    for _ in 0..<1000 { text += "--x\nContent-Type: multipart/mixed; boundary=\"x\"\n\n" }
    let started = Date()
    _ = try InboundMail(Array(text.utf8))
    #expect(Date().timeIntervalSince(started) < 5)
}

@Test func encodedWordsAndQuotedPrintableAreDecoded() throws {
    let mail = try InboundMail(Array("""
        From: =?ISO-8859-1?Q?Jos=E9_N=FA=F1ez?= <jose@acme.mx>
        Subject: =?utf-8?B?wr9GdW5jaW9uYT8=?= =?utf-8?Q?_s=C3=AD?=
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Una l=C3=ADnea muy larga que el cliente cort=C3=B3 con un salto suave =
        y sigue aqu=C3=AD.
        """.utf8))
    #expect(mail.subject == "¿Funciona? sí")
    #expect(mail.text.contains("cortó con un salto suave y sigue aquí."))
    #expect(mail.fromAddress == "jose@acme.mx")
}

/// RFC 2231's `filename*=charset''value`: `%XX` escapes decoded as UTF-8, a `+` kept as it is
/// (it is a space only in forms), a `%` without two hex digits left alone.
@Test func anAttachmentsEncodedNameIsDecoded() throws {
    let mail = try InboundMail(Array("""
        From: ana@acme.mx
        Subject: Archivo
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain; charset=utf-8

        Adjunto.
        --b
        Content-Type: text/plain
        Content-Disposition: attachment; filename*=UTF-8''a%C3%B1o%20%2B1+2%zz.txt

        hola
        --b--
        """.utf8))
    #expect(mail.files.map(\.name) == ["año +1+2%zz.txt"])
}
