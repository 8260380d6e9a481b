import BelenusCore
import BelenusFiles
import BelenusTemplates
import Foundation

/// The technicians' dashboard (`private/dashboard/index.html`, served by the gateway at
/// `GET /dashboard` to staff only): open tickets per SLA state, per product and per technician,
/// and tickets opened vs closed in each of the last twelve weeks.
///
/// Swift counts and lays the bars out; the template draws them as inline SVG (no script), next
/// to the same numbers as text, so that the charts are read by screen readers too.
public struct Dashboard: Sendable {
    public static let path = "private/dashboard/index.html"
    public static let weeks = 12

    let openCounts: [OpenCount]
    let weekly: [WeekCount]
    /// Local midnight of the Monday of the oldest week shown (the weeks of the site's time zone).
    let firstWeek: Date
    /// Display names of the technicians, by login.
    let names: [Login: String]

    /// - Parameters:
    ///   - openCounts: the open tickets by product, technician and SLA state, now.
    ///   - weekly: tickets opened and closed in each of `weeks` weeks from `firstWeek`.
    public init(openCounts: [OpenCount], weekly: [WeekCount], firstWeek: Date, names: [Login: String]) {
        self.openCounts = openCounts
        self.weekly = weekly
        self.firstWeek = firstWeek
        self.names = names
    }

    /// Local midnight of the Monday of the oldest week the dashboard shows.
    public static func firstWeek(now: Date, clock: LocalClock) -> Date {
        clock.monday(of: now - Double(weeks - 1) * 7 * 86_400)
    }

    /// Changes when any figure shown changes (the week, a count, a technician's name).
    public var fingerprint: String {
        let open = openCounts.map {
            "\($0.product)\u{1}\($0.technician.map { "\($0.rawValue)=\(names[$0] ?? "")" } ?? "")\u{1}\($0.sla.rawValue)\u{1}\($0.count)"
        }
        let weeks = weekly.map { "\($0.opened)/\($0.closed)" }
        return StableHash.hex(open.joined(separator: "\u{2}") + "|\(firstWeek.timeIntervalSince1970)|" + weeks.joined(separator: ","))
    }

    /// The order bars are stacked in: what needs attention first.
    static let states: [SLAState] = [.overdue, .dueSoon, .onTime, .paused]

    public func page(config: SiteConfig, theme: Theme) -> [UInt8] {
        let total = openCounts.reduce(0) { $0 + $1.count }
        var bySLA: [SLAState: Int] = [:]
        for c in openCounts { bySLA[c.sla, default: 0] += c.count }
        let slaMax = max(1, bySLA.values.max() ?? 0)
        let slaRows = Self.states.map { state in
            let count = bySLA[state] ?? 0
            return DashboardPage.State(state: state.rawValue, label: theme.string("sla_\(state.rawValue)"), icon: TicketPages.icon(state),
                                       count: count, width: Self.number(100 * Double(count) / Double(slaMax)))
        }
        let none = theme.string("dash_unassigned")
        let model = DashboardPage(
            totalOpen: total, slaRows: slaRows,
            productRows: stackedRows(key: { $0.product }, theme: theme),
            techRows: stackedRows(key: { c in c.technician.map { names[$0] ?? $0.rawValue } ?? none }, theme: theme),
            weekly: weeklyChart(theme: theme),
            legend: Self.states.map {
                .init(state: $0.rawValue, label: theme.string("sla_\($0.rawValue)"), icon: TicketPages.icon($0), count: 0, width: "")
            })
        return theme.renderSlotted(theme.pages.dashboard, model, globals: PageGlobals(config))
    }

    /// One row per product or technician, most open tickets first: its bar's segments per state
    /// (x and width in percent of the longest bar) and the counts as words.
    private func stackedRows(key: (OpenCount) -> String, theme: Theme) -> [DashboardPage.Stack] {
        var counts: [String: [SLAState: Int]] = [:]
        for c in openCounts { counts[key(c), default: [:]][c.sla, default: 0] += c.count }
        let totals = counts.mapValues { $0.values.reduce(0, +) }
        let longest = Double(max(1, totals.values.max() ?? 0))
        return counts.keys.sorted { (totals[$0]!, $1) > (totals[$1]!, $0) }.map { name in
            var x = 0.0
            var segments: [DashboardPage.Segment] = []
            var words: [String] = []
            for state in Self.states {
                guard let n = counts[name]![state], n > 0 else { continue }
                let width = 100 * Double(n) / longest
                let label = theme.string("sla_\(state.rawValue)")
                segments.append(.init(state: state.rawValue, label: label, count: n, x: Self.number(x), width: Self.number(width)))
                words.append("\(label): \(n)")
                x += width
            }
            return .init(name: name, query: QueryString.encode(name), total: totals[name]!, segments: segments,
                         breakdown: words.joined(separator: ", "))
        }
    }

    /// Pairs of bars (opened, closed) per week in a 640 × 240 drawing: plot area from y 20 to
    /// 200, one 50-wide slot per week from x 40.
    private func weeklyChart(theme: Theme) -> DashboardPage.Weekly {
        let top = 20.0, base = 200.0, slot = 50.0, left = 40.0
        let highest = max(1, weekly.map { max($0.opened, $0.closed) }.max() ?? 0)
        func height(_ n: Int) -> Double { (base - top) * Double(n) / Double(highest) }
        let weeks = weekly.map { w in
            let x = left + Double(w.week) * slot
            let start = firstWeek + Double(w.week) * 7 * 86_400
            return DashboardPage.Week(
                label: theme.dayAndMonth(start), dateISO: String(theme.clock.localISO(start).prefix(10)), opened: w.opened,
                closed: w.closed,
                labelX: Self.number(x + slot / 2),
                openedX: Self.number(x + 6), openedY: Self.number(base - height(w.opened)), openedH: Self.number(height(w.opened)),
                closedX: Self.number(x + 26), closedY: Self.number(base - height(w.closed)), closedH: Self.number(height(w.closed)))
        }
        let opened = weekly.reduce(0) { $0 + $1.opened }, closed = weekly.reduce(0) { $0 + $1.closed }
        let summary = theme.string("dash_weekly_summary", count: opened, "\(opened)", "\(closed)")
        return .init(weeks: weeks, max: highest, summary: summary)
    }

    /// "12.5", "0", "33.33": short, and the same text on every machine.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }
}

