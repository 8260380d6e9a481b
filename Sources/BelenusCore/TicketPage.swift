import Foundation

/// One page of a filtered list, newest first.
public struct TicketPage: Sendable {
    /// The tickets that match; with many words' matches (`Store.countedMatches`), at least this many.
    public var total: Int
    public var totalIsExact: Bool
    public var tickets: [Ticket]
    /// With words: where they were found in each ticket, the words between U+0002 and U+0003.
    public var snippets: [TicketNumber: String]

    public init(total: Int, totalIsExact: Bool = true, tickets: [Ticket], snippets: [TicketNumber: String] = [:]) {
        self.total = total
        self.totalIsExact = totalIsExact
        self.tickets = tickets
        self.snippets = snippets
    }
}
