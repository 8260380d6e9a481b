import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

/// The `sendmail` transport for real: msmtp hands the gateway's mail to an SMTP server on
/// loopback (aiosmtpd), and the test reads what that server received.
@Suite struct RealMailTests {
    /// `Tests/Support/smtp_sink.py` on a port: the messages it accepted, as files.
    final class SMTPSink {
        let process = Process()
        let folder: String

        init(port: Int, folder: String) throws {
            self.folder = folder
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")  // the python3 that pip installed aiosmtpd into
            process.arguments = ["python3", CLI.repoRoot + "/Tests/Support/smtp_sink.py", String(port), folder]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            guard line.hasPrefix("ready") else { throw HTTPClient.Failure(text: "the SMTP sink did not start: \(line)") }
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }

        /// (envelope recipients, message) of each accepted message, oldest first.
        var messages: [(recipients: [String], text: String)] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
            return names.map { name in
                let stem = folder + "/" + name.dropLast(4)
                let rcpt = (try? String(contentsOfFile: stem + ".rcpt", encoding: .utf8)) ?? ""
                let text = (try? String(contentsOfFile: stem + ".eml", encoding: .utf8)) ?? ""
                return (rcpt.split(separator: "\n").map(String.init), text)
            }
        }

        func waitFor(_ count: Int) -> [(recipients: [String], text: String)] {
            for _ in 0..<100 where messages.count < count { Thread.sleep(forTimeInterval: 0.05) }
            return messages
        }
    }

    static func header(_ name: String, in message: String) -> String? {
        let head = message.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        return head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    /// Decodes `=?UTF-8?B?…?=` words (RFC 2047), the only form the gateway writes.
    static func decodeWords(_ value: String) -> String {
        value.split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                  let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return String(word) }
            return String(decoding: data, as: UTF8.self)
        }.joined()
    }

    @Test func mailGoesThroughMsmtpToAnSMTPServerThreadedAndSurvivesARefusal() throws {
        let site = try GatewaySite.make()
        let port = try Ports.free()
        let folder = site.root + "/smtp-received"
        try site.configure([
            "mail.transport": .string("sendmail"),
            "mail.sendmail_command": .string("/usr/bin/msmtp --host=127.0.0.1 --port=\(port) --auth=off --tls=off --from=no-reply@localhost -t"),
        ])
        var sink = try SMTPSink(port: port, folder: folder)
        defer { sink.stop() }

        let title = "Nómina: ¿por qué no timbra el aguinaldo en diciembre?"
        let n = try site.openTicket(as: site.ana, title: title)
        let first = try #require(sink.waitFor(1).first)
        #expect(Set(first.recipients) == ["soporte@localhost", "tech1@soporte.mx"])
        let subject = try #require(Self.header("Subject", in: first.text))
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(Self.decodeWords(subject) == "[#\(n)] \(title)")
        #expect(Self.header("Auto-Submitted", in: first.text) == "auto-generated")
        let root = try #require(Self.header("Message-ID", in: first.text))
        #expect(first.text.contains("http://127.0.0.1:8080/cgi-bin/belenus/tickets/\(n)"))

        // The technician's answer goes to the requester, in the same thread.
        let comment = try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "¿Qué versión usa?")])
        #expect(comment.status == 303 && comment.stderr.isEmpty, "\(comment.stderr)")
        let answer = try #require(sink.waitFor(2).last)
        let outbox = try site.sqlite("SELECT id, attempts, last_error FROM outbox")
        #expect(answer.recipients == ["ana@acme.mx"], "outbox: \(outbox)")
        #expect(Self.header("In-Reply-To", in: answer.text) == root && Self.header("References", in: answer.text) == root)
        #expect(Self.header("Message-ID", in: answer.text) != root)

        // The SMTP server goes away: the request still succeeds, the mail stays queued.
        sink.stop()
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", "La 2025.1")]).status == 303)
        #expect(try site.sqlite("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND last_error LIKE '%msmtp%'") == "1")
        // It comes back: `belenus mail deliver` sends what was waiting (once its back-off is over).
        sink = try SMTPSink(port: port, folder: folder)
        _ = try site.sqlite("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE sent_at IS NULL")
        let deliver = try CLI.run(["mail", "deliver", "--site", site.root])
        #expect(deliver.status == 0 && deliver.stdout.contains("1 sent"), "\(deliver.stdout)\(deliver.stderr)")
        let late = try #require(sink.waitFor(3).last)
        #expect(late.recipients == ["tech1@soporte.mx"] && late.text.contains("La 2025.1"))
        #expect(try site.sqlite("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == "0")
    }
}
