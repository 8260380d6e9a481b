import BelenusCore
import BelenusTestSupport
import Foundation
import Testing

/// Issue 33: `belenus mail receive`, through the CLI binary as an MTA runs it (one message on
/// stdin): a client's reply to a notification becomes a comment with its file, the page and the
/// technician's mail follow; a forged From, a bad token, an out-of-office reply, the same message
/// twice and a reply to an approved ticket add nothing, each set aside with its reason; a busy
/// database is exit 75, and the same message is taken when it comes again.
@Suite struct MailReceiveTests {
    let site: GatewaySite
    let number: Int
    let replyAddress: String

    init() throws {
        site = try GatewaySite.make()
        try site.configure(["mail.reply_to": .string("soporte@example.mx")])
        number = try site.openTicket(as: site.ana)
        #expect(try site.run("POST", "/tickets/\(number)/comments", as: site.tech, fields: [("body", "¿Nos manda el XML?")]).status == 303)
        let toAna = try #require(site.sentMail().last { $0.headers.contains("To: ana@acme.mx\r\n") })
        let line = try #require(toAna.headers.split(separator: "\r\n").first { $0.hasPrefix("Reply-To: ") })
        replyAddress = String(line.dropFirst("Reply-To: ".count))
    }

    func reply(from: String = "Ana Pérez <ana@acme.mx>", to: String? = nil, id: String = "r1@acme.mx", extra: String = "",
               text: String = "Ya lo probé y sigue igual.") -> String {
        ReplyMessage.text(to: to ?? replyAddress, ticket: number, from: from, id: id, extra: extra, text: text)
    }

    func receive(_ message: String) throws -> CLI.Result {
        try CLI.run(["mail", "receive", "--site", site.root], stdin: message)
    }

    func comments() throws -> Int { Int(try site.sqlite("SELECT count(*) FROM events WHERE ticket = \(number) AND kind = 'comment'")) ?? -1 }

    @Test func aClientsReplyBecomesACommentWithItsFile() throws {
        let mailsBefore = site.sentMail().count
        let taken = try receive(reply())
        #expect(taken.status == 0 && taken.stdout.hasPrefix("taken\tticket \(number)"), "\(taken.stdout)\(taken.stderr)")
        #expect(try site.sqlite("SELECT body FROM events WHERE ticket = \(number) ORDER BY id DESC LIMIT 1") == "Ya lo probé y sigue igual.")
        #expect(try site.sqlite("SELECT actor FROM events WHERE ticket = \(number) ORDER BY id DESC LIMIT 1") == "ana")
        #expect(try site.sqlite("SELECT name FROM attachments WHERE ticket = \(number)") == "captura.txt")
        #expect(site.read("output/private/tickets/\(number)/index.html").contains("Ya lo probé y sigue igual."))
        let sent = site.sentMail().dropFirst(mailsBefore)
        #expect(sent.contains { $0.headers.contains("tech1@soporte.mx") && $0.body.contains("Ya lo probé") }, "the technician is told")
        #expect(site.files(in: "var/mail/received").count == 1)
        #expect(site.read("var/log/mail.log").contains("taken\tticket \(number)"))
        // The same message again (an MTA's retry): nothing more.
        let again = try receive(reply())
        #expect(again.status == 0 && again.stdout.contains("set aside") && again.stdout.contains("taken before"), "\(again.stdout)")
        #expect(try comments() == 2)
    }

    @Test func whatIsNotAPersonsReplyAddsNothingAndIsKeptWithItsReason() throws {
        let before = try comments()
        var tampered = Array(replyAddress)
        let at = try #require(tampered.firstIndex(of: "@"))
        tampered[at - 1] = tampered[at - 1] == "0" ? "1" : "0"
        let cases: [(String, String)] = [
            (reply(from: "Bob <bob@beta.mx>", id: "f1@beta.mx"), "is not ana"),
            (reply(to: String(tampered), id: "f2@acme.mx"), "signature is wrong"),
            (reply(to: "soporte@example.mx", id: "f3@acme.mx"), "not sent to a reply address"),
            (reply(id: "f4@acme.mx", extra: "Auto-Submitted: auto-replied\n", text: "Estoy fuera de la oficina."), "sent by a machine"),
            (reply(id: "f5@acme.mx", extra: "Precedence: bulk\n"), "sent by a machine"),
        ]
        for (message, reason) in cases {
            let answer = try receive(message)
            #expect(answer.status == 0 && answer.stdout.hasPrefix("set aside") && answer.stdout.contains(reason), "\(reason): \(answer.stdout)")
        }
        #expect(try comments() == before)
        #expect(site.files(in: "var/mail/rejected").count == cases.count)
        #expect(try site.count("attachments") == 0)
        let log = site.read("var/log/mail.log")
        #expect(log.split(separator: "\n").count == cases.count && log.contains("sent by a machine: Auto-Submitted"))
        // Not a message at all: 65, and the MTA bounces it.
        #expect(try receive("esto no es un correo\n").status == 65)
    }

    /// A delivery report about one of our notifications marks the address as bouncing, which
    /// administrators see; it never becomes a comment. One about another message marks nothing.
    @Test func aDeliveryReportAboutOurMailMarksTheAddressAsBouncing() throws {
        let ours = try #require(site.sentMail().last { $0.headers.contains("To: ana@acme.mx\r\n") })
        let messageID = try #require(ours.headers.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: ") })
        func report(about id: Substring) -> String {
            """
            From: MAILER-DAEMON@mx.acme.mx
            To: soporte@example.mx
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <dsn\(id.count)@mx.acme.mx>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

            --dsn
            Content-Type: text/plain

            I'm sorry to have to inform you that your message could not be delivered.
            --dsn
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.acme.mx

            Final-Recipient: rfc822; ana@acme.mx
            Action: failed
            Status: 5.1.1
            --dsn
            Content-Type: text/rfc822-headers

            \(id)
            To: ana@acme.mx
            --dsn--

            """
        }
        let other = try receive(report(about: "Message-ID: <elsewhere@acme.mx>"))
        #expect(other.stdout.contains("sent by a machine"), "\(other.stdout)")
        // One made up in our Message-IDs' form, about a message never sent to ana: nothing marked.
        let madeUp = try receive(report(about: "Message-ID: <belenus.t\(number).m99999.x@localhost>"))
        #expect(madeUp.stdout.contains("sent by a machine"), "\(madeUp.stdout)")
        #expect(try site.sqlite("SELECT bouncing_at IS NULL FROM users WHERE login = 'ana'") == "1")
        let answer = try receive(report(about: messageID))
        #expect(answer.status == 0 && answer.stdout.contains("ana@acme.mx bounces (ana)"), "\(answer.stdout)")
        #expect(try site.sqlite("SELECT bouncing_at IS NOT NULL FROM users WHERE login = 'ana'") == "1")
        #expect(try comments() == 1)
        #expect(try site.run("GET", "/admin/users", as: site.admin).body.contains("ana@acme.mx · <strong>el correo rebota</strong>"))
        let json = try site.run("GET", "/admin/users/ana", as: site.admin, json: true).json
        #expect(json["bouncing"] as? Bool == true)
    }

    @Test func aReplyToAnApprovedTicketIsSetAside() throws {
        let approved = try site.approvedTicket()
        let key = try site.sqlite("SELECT id || ' ' || secret FROM reply_keys ORDER BY id DESC LIMIT 1").split(separator: " ")
        let person = try #require(Int64(try site.sqlite("SELECT rowid FROM users WHERE login = 'ana'")))
        let token = ReplyToken(ticket: TicketNumber(approved), person: person, keyID: try #require(Int64(key[0])))
            .text(secret: Array(key[1].utf8))
        let answer = try receive(reply(to: ReplyToken.address(token, replyTo: "soporte@example.mx"), id: "v1@acme.mx"))
        #expect(answer.stdout.hasPrefix("set aside") && answer.stdout.contains("ticket \(approved)"), "\(answer.stdout)")
        #expect(try site.sqlite("SELECT count(*) FROM events WHERE ticket = \(approved) AND kind = 'comment' AND actor = 'ana'") == "0")
    }

    /// Sixteen deliveries of one reply at once (an MTA's retries, several relays): one comment;
    /// the others are set aside as taken before, or wait and are set aside then.
    @Test func sixteenSimultaneousDeliveriesOfOneReplyMakeOneComment() throws {
        let message = reply(id: "once@acme.mx")
        let root = site.root
        let answers = simultaneously(16) { _ in try CLI.run(["mail", "receive", "--site", root], stdin: message) }
        #expect(answers.allSatisfy { $0.status == 0 }, "\(answers.map { "\($0.status) \($0.stderr)" })")
        #expect(answers.filter { $0.stdout.hasPrefix("taken") }.count == 1)
        #expect(answers.filter { $0.stdout.contains("taken before") }.count == 15)
        #expect(try comments() == 2)
        #expect(try site.sqlite("SELECT count(*) FROM attachments WHERE ticket = \(number)") == "1")
    }

    @Test func aBusyDatabaseIsATemporaryFailureAndTheMessageIsTakenLater() throws {
        let busy = try site.withDatabaseLocked { try receive(reply(id: "b1@acme.mx")) }
        #expect(busy.status == 75, "\(busy.status) \(busy.stderr)")
        #expect(try comments() == 1 && site.files(in: "var/mail/rejected").isEmpty)
        let later = try receive(reply(id: "b1@acme.mx"))
        #expect(later.status == 0 && later.stdout.hasPrefix("taken"), "\(later.stdout)")
        #expect(try comments() == 2)
    }
}
