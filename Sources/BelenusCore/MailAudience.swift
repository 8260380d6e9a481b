/// Who is told of a change by mail (SPEC §7), as a rule on values: a new ticket goes to the
/// support team and the responsible technician; a technician's change to the requester; a
/// client's change to the responsible and assigned technicians. Whoever made the change is left
/// out. The store turns the logins into addresses (the disabled have none).
public struct MailAudience: Sendable, Equatable {
    /// Whether the site's `support_team` addresses are told.
    public var supportTeam: Bool
    /// The people told, in order, without the actor.
    public var people: [Login]

    public init(of kind: TicketEvent.Kind, on ticket: Ticket, by actor: Actor) {
        var people: [Login]
        if kind == .created {
            supportTeam = true
            people = [ticket.responsible].compactMap { $0 }
        } else if actor.role.isStaff {
            supportTeam = false
            people = [ticket.requester]
        } else {
            supportTeam = false
            people = [ticket.responsible, ticket.assigned].compactMap { $0 }
        }
        people.removeAll { $0 == actor.login }
        var seen = Set<Login>()
        self.people = people.filter { seen.insert($0).inserted }
    }
}
