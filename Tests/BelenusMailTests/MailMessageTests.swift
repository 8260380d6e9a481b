import BelenusCore
@testable import BelenusMail
import BelenusStore
import Foundation
import Testing

@Suite struct MailMessageTests {
    func message(id: Int64 = 7, kind: String = "comment", subject: String = "[#5] Nómina no timbra", recipients: [String] = ["ana@acme.mx"]) -> MailMessage {
        MailMessage(OutboxMessage(
            id: id, ticket: TicketNumber(5), eventKind: kind, createdAt: Date(timeIntervalSince1970: 1_795_900_000),
            recipients: recipients, subject: subject, body: "Línea uno\n" + String(repeating: "é", count: 100), attempts: 0),
            from: "Soporte Técnico <no-reply@soporte.mx>")
    }

    @Test func utf8SubjectsAreEncodedWordsOfAtMost75Characters() {
        let text = message(subject: String(repeating: "Próxima versión ", count: 8)).rfc5322
        let subject = text.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subject.count > 1)
        for line in subject {
            let word = line.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") && word.count <= 75)
        }
        #expect(text.contains("From: =?UTF-8?B?"))
    }

    /// One letter with 100,000 combining marks is one `Character`: cut by Characters it was one
    /// encoded word on one 533 KB line. Every header line stays within RFC 5322's 998 bytes, and
    /// within the 78 it recommends.
    @Test func aSubjectOfCombiningMarksIsFoldedWithinTheLineLimit() {
        let title = "a" + String(repeating: "\u{301}", count: 100_000)
        let text = message(subject: "[#5] " + title).rfc5322
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        let lines = head.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "longest: \(lines.map(\.utf8.count).max() ?? 0)")
        let words = lines.drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        let decoded = words.map { line -> [UInt8] in
            let word = line.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces)
            return Array(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data())
        }.joined()
        #expect(String(decoding: Array(decoded), as: UTF8.self) == "[#5] " + title)
    }

    @Test func mailOfOneTicketThreadsUnderItsFirst() {
        let first = message(id: 1, kind: "created"), later = message(id: 9)
        #expect(first.messageID.hasPrefix("<belenus.t5.") && first.threadRoot == nil)
        #expect(later.threadRoot == first.messageID && later.messageID != first.messageID)
        #expect(later.rfc5322.contains("In-Reply-To: \(first.messageID)\r\nReferences: \(first.messageID)\r\n"))
        #expect(later.rfc5322.contains("Auto-Submitted: auto-generated"))
        #expect(later.rfc5322.contains("Date: Sat, 28 Nov 2026 21:06:40 +0000\r\n"))  // 1_795_900_000 s
    }

    @Test func noValueCanStartAHeader() {
        let text = message(subject: "Hola\r\nBcc: x@example.com", recipients: ["a@b.mx\r\nBcc: y@example.com"]).rfc5322
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(!head.contains("\r\nBcc:"))
    }

    @Test func bodyLinesStayUnder77CharactersAsQuotedPrintable() {
        let text = message().rfc5322
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(body.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(body.hasPrefix("L=C3=ADnea uno\r\n"))
    }
}
