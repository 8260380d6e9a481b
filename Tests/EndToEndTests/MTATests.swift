import BelenusCore
import BelenusTestSupport
import Foundation
import Testing

/// Replies by mail through a real MTA (issue 33): Exim (Debian's `exim4-daemon-light`, installed
/// by `make test-deps`) runs as a daemon on a loopback port with a configuration of this test,
/// and pipes every message for `soporte+…@example.mx` to `belenus mail receive` as its own user,
/// as the hosting guide says. Python's smtplib sends the replies. Needs root (Exim's daemon, and
/// the site handed to Exim's user), like PackageTests: `make check` leaves it out.
@Suite(.serialized) struct MTATests {
    /// The daemon, its configuration and spool in a folder of their own.
    final class Exim {
        let folder: String
        let config: String
        let port: Int
        let daemon = Process()

        init(site: String) throws {
            folder = Scratch.path("exim")
            port = try Ports.free()
            for sub in ["", "/spool", "/log"] {
                try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true)
            }
            config = folder + "/exim.conf"
            // Exim drops root for a configuration given with -C: the daemon's deliveries run as
            // its user, which owns the spool, the log and the site.
            try """
                primary_hostname = belenus.test
                domainlist local_domains = example.mx
                spool_directory = \(folder)/spool
                log_file_path = \(folder)/log/%slog
                never_users =
                daemon_smtp_ports = \(port)
                local_interfaces = 127.0.0.1
                acl_smtp_rcpt = acl_check_rcpt
                host_lookup =
                keep_environment =
                begin acl
                acl_check_rcpt:
                  accept domains = +local_domains
                  deny message = relay not permitted
                begin routers
                belenus:
                  driver = accept
                  domains = +local_domains
                  local_parts = soporte
                  local_part_suffix = +*
                  local_part_suffix_optional
                  transport = belenus_pipe
                begin transports
                belenus_pipe:
                  driver = pipe
                  command = \(CLI.binDir)/belenus mail receive --site \(site)
                  user = Debian-exim
                  temp_errors = 75
                  return_fail_output
                begin retry
                *  *  F,1h,1m
                """.write(toFile: config, atomically: true, encoding: .utf8)
            // The configuration stays root's (Exim refuses one its user could change).
            try Self.run("/bin/chown", ["-R", "Debian-exim:Debian-exim", folder + "/spool", folder + "/log", site])
            // The way down to the site, for Exim's user (the run's scratch folder is 0700).
            var parent = (site as NSString).deletingLastPathComponent
            while parent != "/" && !parent.isEmpty {
                try Self.run("/bin/chmod", ["o+x", parent])
                parent = (parent as NSString).deletingLastPathComponent
            }
            daemon.executableURL = URL(fileURLWithPath: "/usr/sbin/exim")
            daemon.arguments = ["-C", config, "-bdf"]
            daemon.standardError = FileHandle.nullDevice
            try daemon.run()
            // Ready when the daemon of this configuration answers on its port.
            let deadline = Date() + 20
            let probe = "import socket; socket.create_connection(('127.0.0.1', \(port)), 1).recv(64)"
            while try CLI.launch("/usr/bin/env", ["python3", "-c", probe], environment: ProcessInfo.processInfo.environment).status != 0 {
                guard Date() < deadline else { throw CLI.Failure(text: "Exim did not answer on port \(port): \(mainLog)") }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }

        /// Sends `message` from `sender` to `recipient` over SMTP (Python's smtplib).
        func send(_ message: String, from sender: String, to recipient: String) throws {
            let script = """
                import smtplib, sys
                s = smtplib.SMTP("127.0.0.1", \(port))
                s.sendmail(sys.argv[1], [sys.argv[2]], sys.stdin.buffer.read())
                s.quit()
                """
            let result = try CLI.launch(
                "/usr/bin/env", ["python3", "-c", script, sender, recipient], stdin: message, environment: ProcessInfo.processInfo.environment)
            #expect(result.status == 0, "smtplib: \(result.stderr)")
        }

        /// Runs the queue now, every message (`-qff`).
        func flush() throws { try Self.run("/usr/sbin/exim", ["-C", config, "-qff"]) }

        var mainLog: String { (try? String(contentsOfFile: folder + "/log/mainlog", encoding: .utf8)) ?? "" }

        /// Exim's daemon does not always end on SIGTERM while children it forked linger: after
        /// two seconds, SIGKILL.
        func stop() {
            daemon.terminate()
            let deadline = Date() + 2
            while daemon.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            daemon.waitUntilExit()
            try? FileManager.default.removeItem(atPath: folder)
        }

        static func run(_ program: String, _ arguments: [String]) throws {
            let result = try CLI.launch(program, arguments, environment: ProcessInfo.processInfo.environment)
            guard result.status == 0 else { throw CLI.Failure(text: "\(program) \(arguments): \(result.stderr)") }
        }
    }

    /// Waits up to 30 s for `condition`.
    func eventually(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date() + 30
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("waited 30 s for \(what)")
    }

    func reply(_ address: String, from: String = "Ana Pérez <ana@acme.mx>", id: String, extra: String = "",
               text: String = "Ya lo probé y sigue igual.") -> String {
        ReplyMessage.text(to: address, ticket: 1, from: from, id: id, extra: extra, text: text)
    }

    @Test func repliesThroughEximBecomeCommentsAndTheRestIsSetAside() throws {
        let site = try GatewaySite.make()
        try site.configure(["mail.reply_to": .string("soporte@example.mx")])
        let number = try site.openTicket(as: site.ana)
        #expect(try site.run("POST", "/tickets/\(number)/comments", as: site.tech, fields: [("body", "¿Nos manda el XML?")]).status == 303)
        let toAna = try #require(site.sentMail().last { $0.headers.contains("To: ana@acme.mx\r\n") })
        let address = String(try #require(toAna.headers.split(separator: "\r\n").first { $0.hasPrefix("Reply-To: ") }).dropFirst(10))
        let messageID = String(try #require(toAna.headers.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: ") }).dropFirst(12))
        func comments() throws -> Int {
            Int(try site.sqlite("SELECT count(*) FROM events WHERE ticket = \(number) AND kind = 'comment'")) ?? -1
        }
        let exim = try Exim(site: site.root)
        defer { exim.stop() }

        // The client's reply: a comment with its file; the page and the technician's mail follow.
        try exim.send(reply(address, id: "m1@acme.mx"), from: "ana@acme.mx", to: address)
        try eventually("the reply's comment") { try comments() == 2 }
        #expect(try site.sqlite("SELECT body FROM events WHERE ticket = \(number) ORDER BY id DESC LIMIT 1") == "Ya lo probé y sigue igual.")
        #expect(try site.sqlite("SELECT name FROM attachments WHERE ticket = \(number)") == "captura.txt")
        #expect(site.read("output/private/tickets/\(number)/index.html").contains("Ya lo probé y sigue igual."))
        try eventually("the technician's mail") { site.sentMail().contains { $0.headers.contains("tech1@soporte.mx") && $0.body.contains("Ya lo probé") } }

        // What adds nothing, each set aside with its reason.
        var forgedToken = Array(address)
        let at = try #require(forgedToken.firstIndex(of: "@"))
        forgedToken[at - 1] = forgedToken[at - 1] == "0" ? "1" : "0"
        let report = """
            From: MAILER-DAEMON@mx.acme.mx
            To: soporte@example.mx
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <dsn1@mx.acme.mx>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

            --dsn
            Content-Type: message/delivery-status

            Final-Recipient: rfc822; ana@acme.mx
            Action: failed
            Status: 5.1.1
            --dsn
            Content-Type: text/rfc822-headers

            Message-ID: \(messageID)
            --dsn--

            """
        let approved = try site.approvedTicket()
        let key = try site.sqlite("SELECT id || ' ' || secret FROM reply_keys ORDER BY id DESC LIMIT 1").split(separator: " ")
        let person = try #require(Int64(try site.sqlite("SELECT rowid FROM users WHERE login = 'ana'")))
        let toApproved = ReplyToken.address(
            ReplyToken(ticket: TicketNumber(approved), person: person, keyID: try #require(Int64(key[0]))).text(secret: Array(key[1].utf8)),
            replyTo: "soporte@example.mx")
        let refused: [(message: String, from: String, to: String, reason: String)] = [
            (reply(address, from: "Bob <bob@beta.mx>", id: "x1@beta.mx"), "bob@beta.mx", address, "is not ana"),
            (reply(String(forgedToken), id: "x2@acme.mx"), "ana@acme.mx", String(forgedToken), "signature is wrong"),
            (reply(address, id: "x3@acme.mx", extra: "Auto-Submitted: auto-replied\n", text: "Estoy fuera de la oficina."), "ana@acme.mx",
             address, "sent by a machine"),
            (report, "", "soporte@example.mx", "bounces (ana)"),
            (reply(address, id: "m1@acme.mx"), "ana@acme.mx", address, "taken before"),
            (reply(toApproved, id: "x4@acme.mx"), "ana@acme.mx", toApproved, "ticket \(approved)"),
        ]
        for item in refused { try exim.send(item.message, from: item.from, to: item.to) }
        try eventually("six messages set aside") { site.files(in: "var/mail/rejected").count == refused.count }
        let log = site.read("var/log/mail.log")
        for item in refused { #expect(log.contains(item.reason), "\(item.reason): \(log)") }
        #expect(try comments() == 2)
        #expect(try site.sqlite("SELECT bouncing_at IS NOT NULL FROM users WHERE login = 'ana'") == "1")

        // While the database is busy, Exim keeps the message (exit 75) and delivers it later.
        try site.withDatabaseLocked {
            try exim.send(reply(address, id: "b1@acme.mx", text: "Otra prueba."), from: "ana@acme.mx", to: address)
            try eventually("Exim to defer the reply") { exim.mainLog.contains("returned 75") }
        }
        #expect(try comments() == 2)
        try exim.flush()
        try eventually("the deferred reply's comment") { try comments() == 3 }
        #expect(try site.sqlite("SELECT body FROM events WHERE ticket = \(number) ORDER BY id DESC LIMIT 1") == "Otra prueba.")
    }
}
