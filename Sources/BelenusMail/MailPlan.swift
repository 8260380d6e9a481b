import BelenusCore
import BelenusFiles
import BelenusStore

/// The mail of one change: its words, made inside the change's transaction from the change and
/// the link to the ticket, and the outbox rows queued, which the request sends after its answer.
public final class MailPlan: ChangeMail, @unchecked Sendable {
    public let supportTeam: [String]
    private let words: (TicketChange, _ link: String) -> Notice
    private let link: (TicketChange, _ pageToken: String?) -> String
    /// The outbox ids queued, for delivery after the answer.
    public private(set) var queuedIDs: [Int64] = []

    /// - Parameter words: the notice of a change, given the link its mail carries: the ticket's
    ///   secret page with `ticket_pages = "link"`, else its page in the gateway.
    public init(config: SiteConfig, words: @escaping (TicketChange, _ link: String) -> Notice) {
        supportTeam = config.supportTeam
        self.words = words
        let gateway = config.baseURL + config.gatewayPath, site = config.baseURL, linkMode = config.ticketPages == .link
        link = { change, token in
            if linkMode, let token { "\(site)/t/\(token)/" } else { "\(gateway)/tickets/\(change.ticket.number)" }
        }
    }

    public func notice(for change: TicketChange, pageToken: String?) -> Notice { words(change, link(change, pageToken)) }

    public func queued(_ id: Int64) { queuedIDs.append(id) }
}
