import Foundation

/// Open tickets of one product, in the hands of one technician, in one SLA state.
public struct OpenCount: Hashable, Sendable {
    public var product: String
    /// The technician in charge: the one it was assigned to, else the responsible; nil if neither.
    public var technician: Login?
    public var sla: SLAState
    public var count: Int

    public init(product: String, technician: Login?, sla: SLAState, count: Int) {
        self.product = product
        self.technician = technician
        self.sla = sla
        self.count = count
    }
}

/// Tickets opened and closed (by a technician) in one week.
public struct WeekCount: Hashable, Sendable {
    /// 0 is the first week asked for.
    public var week: Int
    public var opened: Int
    public var closed: Int

    public init(week: Int, opened: Int, closed: Int) {
        self.week = week
        self.opened = opened
        self.closed = closed
    }
}
