import BelenusCore
import BelenusFiles
import BelenusStore

/// The mail of one change: its words, made inside the change's transaction from the change and
/// the link to the ticket, and the outbox rows queued, which the request sends after its answer.
public final class MailPlan: ChangeMail, @unchecked Sendable {
    public let supportTeam: [String]
    public let replyTo: String
    private let words: (TicketChange, _ link: String, _ replies: Bool) -> Notice
    private let link: (TicketChange, _ pageToken: String?) -> String
    /// The outbox ids queued, for delivery after the answer.
    public private(set) var queuedIDs: [Int64] = []

    /// - Parameter words: the notice of a change, given the link its mail carries (the ticket's
    ///   secret page with `ticket_pages = "link"`, else its page in the gateway) and whether it
    ///   invites a reply.
    public init(config: SiteConfig, words: @escaping (TicketChange, _ link: String, _ replies: Bool) -> Notice) {
        supportTeam = config.supportTeam
        replyTo = config.replyTo
        self.words = words
        let gateway = config.baseURL + config.gatewayPath, site = config.baseURL, linkMode = config.ticketPages == .link
        link = { change, token in
            if linkMode, let token { "\(site)/t/\(token)/" } else { "\(gateway)/tickets/\(change.ticket.number)" }
        }
    }

    public func notice(for change: TicketChange, pageToken: String?, replies: Bool) -> Notice {
        words(change, link(change, pageToken), replies)
    }

    public func queued(_ id: Int64) { queuedIDs.append(id) }
}
