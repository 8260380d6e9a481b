/// A ticket's state: SPEC §3. `approved` is final.
public enum TicketStatus: String, CaseIterable, Codable, Sendable {
    /// Created, or reopened by the client.
    case open
    /// Closed by a technician with a solution (shown with ✓).
    case closed
    /// The client gave VoBo on a closed ticket; no more changes.
    case approved
}

/// Whom a ticket is waiting on. The SLA clock runs only while it waits on `support`.
public enum WaitingOn: String, CaseIterable, Codable, Sendable {
    case support, client, provider, external
}
