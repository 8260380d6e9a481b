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
    /// The state of an open ticket due at `dueAt` whose clock stopped at `pausedAt` (or runs).
    public init(dueAt: Date, pausedAt: Date?, at now: Date, policy: SLAPolicy) {
        if pausedAt != nil {
            self = .paused
        } else if now >= dueAt {
            self = .overdue
        } else if dueAt.timeIntervalSince(now) <= policy.dueSoon {
            self = .dueSoon
        } else {
            self = .onTime
        }
    }
}

/// The site's deadlines: `[tickets]` of `belenus.toml`.
public struct SLAPolicy: Hashable, Sendable {
    /// The deadline given at creation, counted from `created_at`.
    public var defaultDue: TimeInterval
    /// How close the deadline must be for `due_soon`.
    public var dueSoon: TimeInterval

    public init(defaultDueHours: Double = 72, dueSoonHours: Double = 24) {
        self.defaultDue = defaultDueHours * 3600
        self.dueSoon = dueSoonHours * 3600
    }
}

extension Ticket {
    /// The SLA state at `now`; nil for a ticket that is not open.
    public func slaState(at now: Date, policy: SLAPolicy) -> SLAState? {
        guard status == .open else { return nil }
        return SLAState(dueAt: dueAt, pausedAt: pausedAt, at: now, policy: policy)
    }

    /// Sets whom the ticket waits on and keeps the SLA clock right: it stops when the ticket
    /// leaves `support`, and on return the deadline moves later by the time it stood still.
    public mutating func setWaitingOn(_ newValue: WaitingOn, at now: Date) {
        switch (pausedAt, newValue) {
        case (nil, .support): break
        case (nil, _): pausedAt = now
        case (let since?, .support):
            dueAt += max(0, now.timeIntervalSince(since))
            pausedAt = nil
        case (.some, _): break
        }
        waitingOn = newValue
    }
}
