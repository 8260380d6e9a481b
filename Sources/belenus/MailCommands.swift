import ArgumentParser
import BelenusBytes
import BelenusCore
import BelenusGateway
import BelenusInput
import BelenusMail
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "The outbox, replies by mail and the keys of reply addresses.",
        subcommands: [Deliver.self, Receive.self, RotateKey.self])

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read one message on stdin (from the MTA): a reply to a notification becomes a comment; the rest is set aside.",
            discussion: """
                Exit status: 0 taken or set aside (kept in var/mail/received/ or var/mail/rejected/, the reason in \
                var/log/mail.log); 75 when the database is busy, so the MTA keeps the message and tries again; 65 for input \
                that is not a message, or larger than 32 MiB.
                """)
        @OptionGroup var site: SiteOption

        static let maxBytes = 32 << 20

        func run() throws {
            var bytes: [UInt8] = []
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty {
                bytes += chunk
                guard bytes.count <= Self.maxBytes else {
                    FileHandle.standardError.write(Data("belenus: the message is larger than 32 MiB\n".utf8))
                    throw ExitCode(65)
                }
            }
            let paths = site.paths
            let gateway = try Gateway(request: CGIRequest(environment: [:]), site: paths.root) { _ in [] }
            let outcome: Gateway.ReplyOutcome
            do {
                outcome = try gateway.receiveReply(bytes)
            } catch let error as InboundMailError {
                FileHandle.standardError.write(Data("belenus: \(error)\n".utf8))
                throw ExitCode(65)
            } catch let busy as StoreBusy {
                FileHandle.standardError.write(Data("belenus: the database is busy (\(busy.reason)); the MTA will try again\n".utf8))
                throw ExitCode(75)
            }
            // The raw message is kept either way, under a name of its time and content.
            let (folder, line): (String, String)
            switch outcome {
            case .taken(let number): (folder, line) = ("received", "taken\tticket \(number)")
            // The reason may quote the message (its From): one field of one line.
            case .setAside(let reason): (folder, line) = ("rejected", "set aside\t" + RequestLog.printable(reason, 1024))
            }
            let name = "\(Timestamp.iso(Date()))-\(String(SHA256.hex(bytes).prefix(16))).eml"
            let directory = paths.mail + "/" + folder
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
            // Anyone may send mail to the reply address: what is set aside is kept within a bound.
            if folder == "rejected" { DirectoryListing.keepNewest(in: directory, bytes: Self.rejectedBytes) }
            RequestLog(site: paths.root, file: "mail.log").append("\(Timestamp.iso(Date()))\t\(line)\t\(folder)/\(name)\n")
            gateway.deliverQueuedMail()
            print(line)
        }

        /// The messages set aside are kept up to this many bytes, the newest first.
        static let rejectedBytes = 256 << 20
    }

    struct RotateKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Sign reply addresses with a new key; those signed before keep working for 90 days (SPEC §7).")
        @OptionGroup var site: SiteOption

        func run() throws {
            let id = try site.openStore().rotateReplyKey(at: Date())
            print("Reply addresses are now signed with key \(id); the older keys check replies for 90 more days.")
        }
    }

    struct Deliver: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hand the queued mail to the transport; failures stay queued and are retried with back-off.")
        @OptionGroup var site: SiteOption

        func run() throws {
            let store = try site.openStore()
            let config = try SiteConfig.load(path: site.paths.config)
            let transport = MailTransport.configured(
                config.mailTransport.rawValue, sendmailCommand: config.sendmailCommand, mailFolder: site.paths.mail)
            ignoreBrokenPipes()
            let report = try MailDelivery(store: store, transport: transport, from: config.mailFrom).deliver()
            for error in report.errors { FileHandle.standardError.write(Data("belenus: \(error)\n".utf8)) }
            let pending = try store.mailCounts().pending
            print("\(report.sent) sent, \(report.failed) failed; \(pending) still queued.")
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}
