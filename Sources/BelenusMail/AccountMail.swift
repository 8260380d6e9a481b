import BelenusCore
import BelenusFiles
import BelenusStore
import Foundation

/// A mail with a link to set a password: an invitation or a reset (SPEC §2). It is never
/// queued: an outbox row keeps its text, and the link's token must exist only in the mail (the
/// database holds its hash). It goes to the transport at once, after the answer; if that fails,
/// the link is lost with it and the person asks again (the error goes to the log).
public struct AccountMail: Sendable {
    public let notice: Notice
    public let to: String

    public init(_ notice: Notice, to address: String) {
        self.notice = notice
        self.to = address
    }

    /// Where a link's token is used: `/password/reset?token=T` under the gateway.
    public static func link(token: String, config: SiteConfig) -> String {
        config.baseURL + config.gatewayPath + "/password/reset?token=" + token
    }

    public func send(through transport: MailTransport, from: String, at now: Date = Date()) throws {
        // No outbox row: the id only names the message (its Message-ID and spool file).
        let id = Int64.random(in: 100_000_000...999_999_999)
        let message = OutboxMessage(
            id: id, ticket: nil, eventKind: "account", createdAt: now, recipients: [to], subject: notice.subject, body: notice.body,
            attempts: 0)
        try transport.send(MailMessage(message, from: from), id: id)
    }
}
