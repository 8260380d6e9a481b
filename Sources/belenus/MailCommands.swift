import ArgumentParser
import BelenusMail
import BelenusFiles
import BelenusBuild
import Foundation

struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "The outbox, and the keys of reply addresses.", subcommands: [Deliver.self, RotateKey.self])

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
