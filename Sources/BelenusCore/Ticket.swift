import Foundation

/// A support ticket: the fields of SPEC §3. Its history lives in `TicketEvent`s.
public struct Ticket: Hashable, Sendable {
    public var number: TicketNumber
    public var title: String
    public var product: String
    public var version: String
    /// Markdown, as the client wrote it.
    public var body: String
    public var org: String
    public var requester: Login
    public var createdAt: Date
    /// The technician in charge.
    public var responsible: Login?
    /// The technician it was reassigned to, if any.
    public var assigned: Login?
    /// The deadline. While the SLA clock is paused it is laid out again when the clock resumes.
    public var dueAt: Date
    /// When the ticket turns `due_soon`: the policy's `due_soon` of business time before `dueAt`.
    public var dueSoonAt: Date
    /// The name of the calendar its deadlines count in (its company's, else the site's).
    public var calendar: String
    public var waitingOn: WaitingOn
    /// When the SLA clock stopped (waiting on someone other than support), else nil.
    public var pausedAt: Date?
    /// The vendor's case number.
    public var providerRef: String?
    public var status: TicketStatus
    /// Counts the changes; the page of a ticket is rendered again when it moves.
    public var revision: Int

    public init(
        number: TicketNumber, title: String, product: String, version: String, body: String,
        org: String, requester: Login, createdAt: Date, responsible: Login?, assigned: Login? = nil,
        dueAt: Date, dueSoonAt: Date, calendar: String, waitingOn: WaitingOn = .support, pausedAt: Date? = nil, providerRef: String? = nil,
        status: TicketStatus = .open, revision: Int = 1
    ) {
        self.number = number
        self.title = title
        self.product = product
        self.version = version
        self.body = body
        self.org = org
        self.requester = requester
        self.createdAt = createdAt
        self.responsible = responsible
        self.assigned = assigned
        self.dueAt = dueAt
        self.dueSoonAt = dueSoonAt
        self.calendar = calendar
        self.waitingOn = waitingOn
        self.pausedAt = pausedAt
        self.providerRef = providerRef
        self.status = status
        self.revision = revision
    }
}
