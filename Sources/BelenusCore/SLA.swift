import Foundation

/// The deadline's state of an open ticket, as colour, word and icon: SPEC §3.
public enum SLAState: String, CaseIterable, Codable, Sendable {
    case onTime = "on_time"
    case dueSoon = "due_soon"
    case overdue
    /// The clock is stopped: the ticket waits on the client, a provider or an external party.
    case paused
}

extension SLAState {
    /// The state of an open ticket due at `dueAt`, due soon from `dueSoonAt`, whose clock stopped
    /// at `pausedAt` (or runs).
    public init(dueAt: Date, dueSoonAt: Date, pausedAt: Date?, at now: Date) {
        if pausedAt != nil {
            self = .paused
        } else if now >= dueAt {
            self = .overdue
        } else if now >= dueSoonAt {
            self = .dueSoon
        } else {
            self = .onTime
        }
    }
}

/// The site's deadlines: `[tickets]` of `belenus.toml`, in business hours (SPEC §3).
public struct SLAPolicy: Hashable, Sendable {
    /// The deadline given at creation, counted from `created_at`.
    public var defaultDue: TimeInterval
    /// How much business time left makes a ticket `due_soon`.
    public var dueSoon: TimeInterval

    public init(defaultDueHours: Double = 72, dueSoonHours: Double = 24) {
        self.defaultDue = defaultDueHours * 3600
        self.dueSoon = dueSoonHours * 3600
    }
}

/// What lays out a ticket's deadline: the site's policy and the ticket's calendar.
public struct SLAClock: Hashable, Sendable {
    public var calendar: BusinessCalendar
    public var policy: SLAPolicy

    public init(calendar: BusinessCalendar, policy: SLAPolicy) {
        self.calendar = calendar
        self.policy = policy
    }
}

extension Ticket {
    /// The SLA state at `now`; nil for a ticket that is not open.
    public func slaState(at now: Date) -> SLAState? {
        guard status == .open else { return nil }
        return SLAState(dueAt: dueAt, dueSoonAt: dueSoonAt, pausedAt: pausedAt, at: now)
    }

    /// Sets the deadline and the instant it turns due soon: `clock.policy.dueSoon` of business
    /// time before it, in the ticket's calendar.
    public mutating func setDeadline(_ due: Date, clock: SLAClock) {
        dueAt = due
        dueSoonAt = clock.calendar.subtracting(clock.policy.dueSoon, from: due)
    }

    /// Sets whom the ticket waits on and keeps the SLA clock right: it stops when the ticket
    /// leaves `support`, and on return the deadline is laid out again from now with the business
    /// time that remained when it stopped. One that was already overdue then stays overdue by
    /// the same time.
    public mutating func setWaitingOn(_ newValue: WaitingOn, at now: Date, clock: SLAClock) {
        switch (pausedAt, newValue) {
        case (nil, .support): break
        case (nil, _): pausedAt = now
        case (let since?, .support):
            if dueAt > since {
                setDeadline(clock.calendar.adding(clock.calendar.businessTime(from: since, to: dueAt), to: max(now, since)), clock: clock)
            } else {
                setDeadline(dueAt + max(0, now.timeIntervalSince(since)), clock: clock)
            }
            pausedAt = nil
        case (.some, _): break
        }
        waitingOn = newValue
    }

    /// The ticket moves from calendar `old` to `clock.calendar` (its own or its company's was
    /// changed): the deadline is laid out again from the business time it had left at `now`, or
    /// at the pause (SPEC §3). An overdue deadline stays where it is.
    public mutating func moveCalendar(from old: BusinessCalendar, at now: Date, clock: SLAClock) {
        let from = pausedAt ?? now
        calendar = clock.calendar.name
        guard dueAt > from else {
            setDeadline(dueAt, clock: clock)
            return
        }
        setDeadline(clock.calendar.adding(old.businessTime(from: from, to: dueAt), to: from), clock: clock)
    }
}
