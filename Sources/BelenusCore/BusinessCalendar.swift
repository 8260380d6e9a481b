import Foundation

/// When support works (SPEC §3, "Business hours"): an IANA zone, weekly hours and holidays.
/// Every duration of the SLA counts business time in the ticket's calendar.
///
/// A second is business time when its local wall-clock time, in `zone`, falls in one of its
/// local weekday's slots and its local day is not a holiday. So on the night clocks go forward
/// a slot over the missing hour has nothing, and on the night they go back a slot over the
/// repeated hour counts it twice (it was worked twice). The arithmetic walks the business
/// intervals one local day at a time, in pieces of time with one UTC offset; nothing is cached.
public struct BusinessCalendar: Hashable, Sendable {
    public var name: String
    public var zone: IANAZone
    public var hours: WeeklyHours
    public var holidays: Holidays

    public init(name: String, zone: IANAZone, hours: WeeklyHours, holidays: Holidays = .none) {
        self.name = name
        self.zone = zone
        self.hours = hours
        self.holidays = holidays
    }

    /// The calendar every site starts with: every minute counts.
    public static let alwaysName = "24x7"

    public static func always(zone: IANAZone = IANAZone("UTC")!) -> BusinessCalendar {
        BusinessCalendar(name: alwaysName, zone: zone, hours: .always)
    }

    /// Every second counts: the arithmetic is the clock's.
    var isContinuous: Bool { hours.isAlways && holidays.isEmpty }

    /// How far the walk looks before it gives up (a calendar whose only hours fall on holidays).
    static let horizon: TimeInterval = 20 * 366 * 86400

    // MARK: - The arithmetic

    /// The instant when `seconds` of business time have passed since `start`: the earliest `u`
    /// with `businessTime(from: start, to: u) >= seconds`. Friday 17:00 plus 8 h in a 09:00–18:00
    /// week is Monday 16:00 (Tuesday, if Monday is a holiday).
    public func adding(_ seconds: TimeInterval, to start: Date) -> Date {
        guard seconds > 0 else { return start }
        if isContinuous { return start + seconds }
        var need = seconds
        var found = start.timeIntervalSince1970 + Self.horizon
        forEachInterval(from: start.timeIntervalSince1970) { a, b in
            if b - a >= need {
                found = a + need
                return false
            }
            need -= b - a
            return true
        }
        return Date(timeIntervalSince1970: found)
    }

    /// Business time in `[start, end)`; zero when `end` is not after `start`.
    public func businessTime(from start: Date, to end: Date) -> TimeInterval {
        let stop = end.timeIntervalSince1970
        guard stop > start.timeIntervalSince1970 else { return 0 }
        if isContinuous { return end.timeIntervalSince(start) }
        var total: TimeInterval = 0
        forEachInterval(from: start.timeIntervalSince1970) { a, b in
            guard a < stop else { return false }
            total += min(b, stop) - a
            return b < stop
        }
        return total
    }

    /// The earliest instant from which at most `seconds` of business time remain before `end`:
    /// when a ticket due at `end` turns `due_soon` (SPEC §3). Remaining time only falls while
    /// support works, so with 09:00–18:00 hours and 9 h to go that is the end of the previous
    /// working day, not the night after it.
    public func subtracting(_ seconds: TimeInterval, from end: Date) -> Date {
        let stop = end.timeIntervalSince1970
        if isContinuous { return end - max(0, seconds) }
        var span = max(seconds, 0) * 2 + 7 * 86400
        while true {
            let from = stop - span
            var intervals: [(TimeInterval, TimeInterval)] = []
            var total: TimeInterval = 0
            forEachInterval(from: from) { a, b in
                guard a < stop else { return false }
                intervals.append((a, min(b, stop)))
                total += min(b, stop) - a
                return b < stop
            }
            // More than `seconds` in the window: the answer is inside it (see the loop's cases).
            if total > seconds || span >= Self.horizon {
                var need = max(seconds, 0)
                for (a, b) in intervals.reversed() {
                    if need == 0 { return Date(timeIntervalSince1970: b) }
                    if b - a > need { return Date(timeIntervalSince1970: b - need) }
                    need -= b - a
                }
                return Date(timeIntervalSince1970: from)
            }
            span *= 2
        }
    }

    /// Calls `body` with each business interval `[a, b)` (seconds since 1970) from `start` on, in
    /// order, clipped to start at `start`, until it returns false or the horizon is reached.
    /// Intervals of consecutive slots may touch (24x7's midnight): callers must not assume a gap.
    func forEachInterval(from start: TimeInterval, _ body: (TimeInterval, TimeInterval) -> Bool) {
        let limit = start + Self.horizon
        var t = start
        while t < limit {
            // A piece of time with one UTC offset: local seconds are instant + offset in it.
            let here = Date(timeIntervalSince1970: t)
            let offset = TimeInterval(zone.timeZone.secondsFromGMT(for: here))
            let pieceEnd = min(zone.timeZone.nextDaylightSavingTimeTransition(after: here)?.timeIntervalSince1970 ?? limit, limit)
            let localStart = t + offset, localEnd = pieceEnd + offset
            var day = Int((localStart / 86400).rounded(.down))
            while TimeInterval(day) * 86400 < localEnd {
                let midnight = TimeInterval(day) * 86400
                let weekday = LocalDate.weekday(ofDayNumber: day)
                let slots = hours.days[weekday]
                if !slots.isEmpty && !holidays.contains(LocalDate(dayNumber: day), weekday: weekday) {
                    for slot in slots {
                        let a = max(midnight + TimeInterval(slot.start * 60), localStart)
                        let b = min(midnight + TimeInterval(slot.end * 60), localEnd)
                        if a < b && !body(a - offset, b - offset) { return }
                    }
                }
                day += 1
            }
            t = pieceEnd
        }
    }
}
