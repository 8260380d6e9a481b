import BelenusBytes
import BelenusCore
import Foundation

/// Times as the site's people read and type them: in its `timezone` (SPEC §1). Pages, lists,
/// mail and the dashboard show local clock times; `<time datetime>` and JSON keep the UTC
/// instant.
public struct LocalClock: Sendable {
    public let zone: TimeZone
    /// UTC itself: its times are written with "UTC" after them, so nobody takes them for local.
    public let isUTC: Bool

    /// `timezone` as `SiteConfig` checked it; an unknown name reads as UTC.
    public init(timezone: String) {
        let zone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
        self.zone = zone
        isUTC = zone.secondsFromGMT(for: Date()) == 0 && (timezone == "UTC" || timezone == "Etc/UTC" || timezone == "GMT")
    }

    /// Seconds east of UTC at `date`.
    public func offset(at date: Date) -> Int { isUTC ? 0 : zone.secondsFromGMT(for: date) }

    /// The local clock's reading at `date`, in seconds since 1970 as if it were UTC's.
    func localSeconds(_ date: Date) -> Int { Int((date + TimeInterval(offset(at: date))).timeIntervalSince1970.rounded(.down)) }

    /// The local clock's calendar fields at `date`.
    func fields(_ date: Date) -> UTCTime.Fields { UTCTime.fields(localSeconds(date)) }

    /// "YYYY-MM-DDTHH:MM:SS" of the local clock at `date` (the ISO form without its zone).
    func localISO(_ date: Date) -> String { String(UTCTime.iso(localSeconds(date)).dropLast()) }

    /// The value of a `datetime-local` input: "2026-12-15T10:00".
    public func inputValue(_ date: Date) -> String { String(localISO(date).prefix(16)) }

    /// What a person typed or a `datetime-local` input sent: a local clock time, or an instant
    /// with `Z` or an offset.
    public func parse(_ text: String) -> Date? { Timestamp.parse(text, localOffset: offset(at:)) }

    /// Local midnight starting the Monday of the week of `date`.
    func monday(of date: Date) -> Date {
        let local = date + TimeInterval(offset(at: date))
        let day = Int((local.timeIntervalSince1970 / 86_400).rounded(.down))
        let weekday = ((day + 3) % 7 + 7) % 7  // 0 = Monday (1970-01-01 was a Thursday)
        let midnight = Date(timeIntervalSince1970: Double(day - weekday) * 86_400)
        return midnight - TimeInterval(offset(at: midnight - TimeInterval(offset(at: midnight))))
    }
}
