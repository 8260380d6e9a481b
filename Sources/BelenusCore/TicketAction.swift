/// What can be done to an existing ticket: the routes of SPEC §5 under `/tickets/N`.
public enum TicketAction: String, CaseIterable, Sendable {
    case view, comment, reopen, approve, close, assign, update, publish

    /// The states in which the action is allowed; anything else is 409. Arrays, not sets: a
    /// `Set` of an enum costs a CGI process a search of the runtime's conformance tables.
    public var allowedStates: [TicketStatus] {
        switch self {
        case .view: [.open, .closed, .approved]
        case .comment, .assign, .update: [.open, .closed]
        case .reopen, .approve: [.closed]
        case .close: [.open]
        case .publish: [.approved]
        }
    }

    /// The roles that may do it, once they may see the ticket; anyone else is 403.
    public var allowedRoles: [Role] {
        switch self {
        case .view, .comment: [.client, .tech, .admin]
        case .reopen, .approve: [.client]
        case .close, .assign, .update, .publish: [.tech, .admin]
        }
    }
}

/// The one rulebook of who may do what to which ticket, shared by the gateway, the CLI and the pages.
public enum Rulebook {
    /// A client sees only their company's tickets; staff see all.
    public static func canSee(_ ticket: Ticket, _ actor: Actor) -> Bool {
        actor.role.isStaff || (actor.org != nil && actor.org == ticket.org)
    }

    /// Checks in the order a person would be answered: existence (404), role (403), state (409).
    public static func check(_ action: TicketAction, by actor: Actor, on ticket: Ticket) throws(RuleViolation) {
        guard canSee(ticket, actor) else {
            throw RuleViolation(.notFound, "ticket \(ticket.number) not found")
        }
        guard action.allowedRoles.contains(actor.role) else {
            throw RuleViolation(.forbidden, "a \(actor.role.rawValue) may not \(action.rawValue) a ticket")
        }
        guard action.allowedStates.contains(ticket.status) else {
            throw RuleViolation(.conflict, "ticket \(ticket.number) is \(ticket.status.rawValue): cannot \(action.rawValue)")
        }
    }

    /// True when `check` would let the action through: which forms a page shows.
    public static func allows(_ action: TicketAction, by actor: Actor, on ticket: Ticket) -> Bool {
        (try? check(action, by: actor, on: ticket)) != nil
    }

    /// Who may open a ticket for `org`: its clients, and staff on a client's behalf.
    /// Staff without `org` get a `FieldError` on `org`.
    public static func checkOpen(for org: String?, by actor: Actor) throws {
        switch actor.role {
        case .client:
            guard let own = actor.org, org == nil || org == own else {
                throw RuleViolation(.forbidden, "a client opens tickets only for their own company")
            }
        case .tech, .admin:
            guard org != nil else {
                throw FieldError(field: "org", message: "staff open a ticket on behalf of a company: name it", code: "org_required")
            }
        }
    }
}
