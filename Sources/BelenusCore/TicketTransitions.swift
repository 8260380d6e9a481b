import Foundation

/// A ticket after an action, with the history entry that records it.
public struct TicketChange: Sendable {
    public let ticket: Ticket
    public let event: TicketEvent
}

/// The fields a technician may set with `update` (SPEC §5); nil leaves a field as it is.
public struct TicketUpdate: Hashable, Sendable {
    public var dueAt: Date?
    /// The deadline as business hours from now (`due_in_hours`), in the ticket's calendar; when
    /// given, `dueAt` is not used.
    public var dueInHours: Double?
    public var waitingOn: WaitingOn?
    /// `.some("")` clears the provider number.
    public var providerRef: String?
    public var responsible: Login?

    public init(
        dueAt: Date? = nil, dueInHours: Double? = nil, waitingOn: WaitingOn? = nil, providerRef: String? = nil, responsible: Login? = nil
    ) {
        self.dueAt = dueAt
        self.dueInHours = dueInHours
        self.waitingOn = waitingOn
        self.providerRef = providerRef
        self.responsible = responsible
    }

    public var isEmpty: Bool { dueAt == nil && dueInHours == nil && waitingOn == nil && providerRef == nil && responsible == nil }
}

/// What a new ticket needs before it gets a number.
public struct TicketDraft: Hashable, Sendable {
    public var title: String
    public var product: String
    public var version: String
    public var body: String
    public var org: String

    public init(title: String, product: String, version: String, body: String, org: String) {
        self.title = title
        self.product = product
        self.version = version
        self.body = body
        self.org = org
    }

    /// The limits of the form, checked field by field in form order. Lengths count Unicode
    /// scalars, never `Character`s: a "7-character" title of combining marks was 400 KB.
    public static let maxTitleLength = 200
    public static let maxBodyBytes = 64 * 1024

    public func validated() throws(FieldError) -> TicketDraft {
        var copy = self
        copy.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        copy.product = product.trimmingCharacters(in: .whitespacesAndNewlines)
        copy.version = version.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.require(copy.title, field: "title", maxScalars: Self.maxTitleLength)
        try Self.require(copy.product, field: "product", maxScalars: 200)
        try Self.require(copy.version, field: "version", maxScalars: 50)
        try Self.requireBody(body, field: "body")
        return copy
    }

    /// A one-line field: present, at most `maxScalars` Unicode scalars, no control character.
    public static func require(_ value: String, field: String, maxScalars: Int) throws(FieldError) {
        if value.isEmpty { throw .required(field) }
        if value.unicodeScalars.count > maxScalars { throw .tooLong(field, characters: maxScalars) }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .controlCharacters(field)
        }
    }

    /// Whether `text` holds only what Foundation's `.whitespacesAndNewlines` holds: Unicode's
    /// White_Space and the zero-width space. Scalar by scalar, not trimmed (trimming was 1 % of a
    /// comment's CPU).
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace || $0 == "\u{200B}" }
    }

    static func requireBody(_ body: String, field: String) throws(FieldError) {
        if isBlank(body) { throw .required(field) }
        if body.utf8.count > maxBodyBytes { throw .tooLong(field, bytes: maxBodyBytes) }
    }
}

extension Ticket {
    /// A new ticket: open, waiting on support, due `policy.defaultDue` of business time after
    /// creation in the clock's calendar.
    public static func open(
        _ draft: TicketDraft, number: TicketNumber, by actor: Actor, responsible: Login?,
        at now: Date, clock: SLAClock
    ) throws -> TicketChange {
        try Rulebook.checkOpen(for: draft.org, by: actor)
        let draft = try draft.validated()
        var ticket = Ticket(
            number: number, title: draft.title, product: draft.product, version: draft.version,
            body: draft.body, org: draft.org, requester: actor.login, createdAt: now,
            responsible: responsible, dueAt: now, dueSoonAt: now, calendar: clock.calendar.name)
        ticket.setDeadline(clock.calendar.adding(clock.policy.defaultDue, to: now), clock: clock)
        return TicketChange(ticket: ticket, event: TicketEvent(kind: .created, actor: actor.login, at: now))
    }

    /// A comment. A client's sets the ticket waiting on support, a technician's on the client.
    public func comment(_ body: String, by actor: Actor, at now: Date, clock: SLAClock) throws -> TicketChange {
        try Rulebook.check(.comment, by: actor, on: self)
        try TicketDraft.requireBody(body, field: "body")
        var next = self
        if status == .open { next.setWaitingOn(actor.role.isStaff ? .client : .support, at: now, clock: clock) }
        return next.recording(TicketEvent(kind: .comment, actor: actor.login, at: now, body: body))
    }

    /// A technician closes an open ticket with its solution.
    public func close(solution: String, by actor: Actor, at now: Date, clock: SLAClock) throws -> TicketChange {
        try Rulebook.check(.close, by: actor, on: self)
        try TicketDraft.requireBody(solution, field: "body")
        var next = self
        next.setWaitingOn(.client, at: now, clock: clock)
        next.status = .closed
        return next.recording(TicketEvent(kind: .close, actor: actor.login, at: now, body: solution))
    }

    /// The client reopens a closed ticket because the solution did not work.
    public func reopen(reason: String, by actor: Actor, at now: Date, clock: SLAClock) throws -> TicketChange {
        try Rulebook.check(.reopen, by: actor, on: self)
        try TicketDraft.requireBody(reason, field: "body")
        var next = self
        next.status = .open
        next.setWaitingOn(.support, at: now, clock: clock)
        return next.recording(TicketEvent(kind: .reopen, actor: actor.login, at: now, body: reason))
    }

    /// The client's final sign-off (VoBo) on a closed ticket.
    public func approve(by actor: Actor, at now: Date) throws -> TicketChange {
        try Rulebook.check(.approve, by: actor, on: self)
        var next = self
        next.status = .approved
        return next.recording(TicketEvent(kind: .approve, actor: actor.login, at: now))
    }

    /// Reassigns the ticket to another technician (`technicians` are the valid logins).
    public func assign(to tech: Login, technicians: Set<Login>, by actor: Actor, at now: Date) throws -> TicketChange {
        try Rulebook.check(.assign, by: actor, on: self)
        guard technicians.contains(tech) else { throw FieldError.unknown("assigned", tech.rawValue) }
        var next = self
        next.assigned = tech
        let change = TicketEvent.FieldChange(field: "assigned", from: assigned?.rawValue, to: tech.rawValue)
        return next.recording(TicketEvent(kind: .assign, actor: actor.login, at: now, changes: [change]))
    }

    /// A technician sets the deadline, whom it waits on, the provider number or the responsible.
    public func update(
        _ update: TicketUpdate, technicians: Set<Login>, by actor: Actor, at now: Date, clock: SLAClock
    ) throws -> TicketChange {
        try Rulebook.check(.update, by: actor, on: self)
        guard !update.isEmpty else { throw FieldError(field: "due_at", message: "nothing to change", code: "nothing_to_change") }
        var next = self
        var changes: [TicketEvent.FieldChange] = []
        if let waiting = update.waitingOn, waiting != waitingOn {
            next.setWaitingOn(waiting, at: now, clock: clock)
            changes.append(.init(field: "waiting_on", from: waitingOn.rawValue, to: waiting.rawValue))
        }
        if let hours = update.dueInHours {
            guard hours.isFinite, hours > 0, hours <= 100_000 else {
                throw FieldError(
                    field: "due_in_hours", message: "'\(hours)' is not a number of hours from 0 to 100000", code: "not_hours",
                    values: [String(hours)])
            }
        }
        // Business hours from now win over an instant: the page's form sends the deadline it
        // shows with every update, and hours typed beside it are what the technician meant.
        let due = update.dueInHours.map { clock.calendar.adding($0 * 3600, to: now) } ?? update.dueAt
        if let due, due != dueAt {
            next.setDeadline(due, clock: clock)
            if next.pausedAt != nil { next.pausedAt = now }  // the new deadline counts from now
            changes.append(.init(field: "due_at", from: Timestamp.iso(dueAt), to: Timestamp.iso(due)))
            if let hours = update.dueInHours {
                changes.append(.init(field: "due_in_hours", from: nil, to: hours.rounded() == hours ? String(Int(hours)) : String(hours)))
            }
        }
        if let ref = update.providerRef {
            let trimmed = ref.trimmingCharacters(in: .whitespaces)
            try TicketDraft.require(trimmed.isEmpty ? "-" : trimmed, field: "provider_ref", maxScalars: 100)
            let newRef = trimmed.isEmpty ? nil : trimmed
            if newRef != providerRef {
                next.providerRef = newRef
                changes.append(.init(field: "provider_ref", from: providerRef, to: newRef))
            }
        }
        if let tech = update.responsible, tech != responsible {
            guard technicians.contains(tech) else { throw FieldError.unknown("responsible", tech.rawValue) }
            next.responsible = tech
            changes.append(.init(field: "responsible", from: responsible?.rawValue, to: tech.rawValue))
        }
        return next.recording(TicketEvent(kind: .update, actor: actor.login, at: now, changes: changes))
    }

    /// A technician turns an approved ticket into a KB article; the ticket records where it went.
    public func publish(slug: Slug, by actor: Actor, at now: Date) throws -> TicketChange {
        try Rulebook.check(.publish, by: actor, on: self)
        let change = TicketEvent.FieldChange(field: "kb", from: nil, to: slug.rawValue)
        return recording(TicketEvent(kind: .publish, actor: actor.login, at: now, changes: [change]))
    }

    /// A technician's account was disabled: whatever they were responsible for or assigned goes
    /// to `successor` (SPEC §2), recorded as an update by `actor`. Any state but approved.
    public func handOver(from tech: Login, to successor: Login, by actor: Login, at now: Date) -> TicketChange {
        var next = self
        var changes: [TicketEvent.FieldChange] = []
        if responsible == tech {
            next.responsible = successor
            changes.append(.init(field: "responsible", from: tech.rawValue, to: successor.rawValue))
        }
        if assigned == tech {
            next.assigned = successor
            changes.append(.init(field: "assigned", from: tech.rawValue, to: successor.rawValue))
        }
        return next.recording(TicketEvent(kind: .update, actor: actor, at: now, changes: changes))
    }

    private func recording(_ event: TicketEvent) -> TicketChange {
        var next = self
        next.revision += 1
        return TicketChange(ticket: next, event: event)
    }
}
