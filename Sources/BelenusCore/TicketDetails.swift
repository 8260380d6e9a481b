import Foundation

/// A file attached to a ticket; the bytes live at `var/attachments/<sha256>`.
public struct Attachment: Hashable, Sendable {
    public var id: Int64
    public var ticket: TicketNumber
    public var event: Int64?
    /// The name the client gave it: for display only, never a path.
    public var name: String
    public var contentType: String
    public var size: Int
    public var sha256: String

    public init(id: Int64, ticket: TicketNumber, event: Int64?, name: String, contentType: String, size: Int, sha256: String) {
        self.id = id
        self.ticket = ticket
        self.event = event
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

/// A history entry as stored, with its row id (attachments point at it).
public struct StoredEvent: Hashable, Sendable {
    public var id: Int64
    public var event: TicketEvent

    public init(id: Int64, event: TicketEvent) {
        self.id = id
        self.event = event
    }
}

/// Everything a ticket's page shows.
public struct TicketDetails: Sendable {
    public var ticket: Ticket
    public var events: [StoredEvent]
    public var attachments: [Attachment]
    /// Display names of the people named on the page, by login.
    public var names: [Login: String]
    /// Of an approved ticket (the one a technician may publish): its company and people, whom
    /// the article must not name; made once per company and requester in a batch. Nil for any other.
    public var clientNames: ClientNames?

    public init(ticket: Ticket, events: [StoredEvent], attachments: [Attachment], names: [Login: String], clientNames: ClientNames? = nil) {
        self.ticket = ticket
        self.events = events
        self.attachments = attachments
        self.names = names
        self.clientNames = clientNames
    }
}
