import BelenusBytes
import Foundation

/// ISO 8601 in UTC to the second ("2026-11-29T10:00:00Z"): the one text form of a time
/// in the database, the corpus, front matter and `<time datetime>`.
public enum Timestamp {
    public static func iso(_ date: Date) -> String { UTCTime.iso(Int(date.timeIntervalSince1970.rounded(.down))) }

    /// Parses what a person types or a `datetime-local` input sends: an instant with `Z` or an
    /// offset, or a local "YYYY-MM-DDTHH:MM[:SS]" (or "YYYY-MM-DD") read as a clock time in the
    /// zone whose offset from UTC at an instant is `offset` (seconds east, as `TimeZone` gives).
    public static func parse(_ text: String, localOffset offset: (Date) -> Int) -> Date? {
        guard let naive = parse(text) else { return nil }
        guard !hasZone(text) else { return naive }
        // The clock time read as UTC, moved by the zone's offset there; again with the offset
        // at the result, for the hours next to a change of offset.
        let first = naive - TimeInterval(offset(naive))
        let second = naive - TimeInterval(offset(first))
        return second
    }

    /// Whether `text` names its zone (`Z`, `+HH:MM`, `-HH:MM` after the time).
    static func hasZone(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count > 10 else { return false }
        return bytes[10...].contains { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
    }

    /// Parses "YYYY-MM-DDTHH:MM:SSZ", "…+HH:MM", "YYYY-MM-DDTHH:MM" (UTC) or "YYYY-MM-DD"; nil for
    /// a day the month does not have or an offset past 23:59 (RFC 3339 §5.6, §5.7).
    public static func parse(_ text: String) -> Date? {
        // Spaces and tabs around it dropped by byte (Foundation's `trimmingCharacters` was 5 % of
        // a full build: every ticket and event has two or three times).
        var s = Array(text.utf8)
        while let last = s.last, last == 32 || last == 9 { s.removeLast() }
        if let first = s.firstIndex(where: { $0 != 32 && $0 != 9 }), first > 0 { s.removeFirst(first) }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var n = 0
            for b in s[from..<from + count] {
                guard (48...57).contains(b) else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard let year = number(0, 4), s.count >= 10, s[4] == 45, s[7] == 45,
              let month = number(5, 2), let day = number(8, 2), (1...12).contains(month), (1...daysIn(month, of: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        var i = 10
        if s.count > 10 {
            guard s[10] == 84 || s[10] == 32, let h = number(11, 2), s.count >= 16, s[13] == 58, let m = number(14, 2),
                  h < 24, m < 60 else { return nil }
            hour = h; minute = m; i = 16
            if s.count >= 19, s[16] == 58 {
                guard let sec = number(17, 2), sec < 61 else { return nil }
                second = sec; i = 19
                if i < s.count, s[i] == 46 {  // fractional seconds are dropped
                    i += 1
                    while i < s.count, (48...57).contains(s[i]) { i += 1 }
                }
            }
            if i < s.count {
                if s[i] == 90, i + 1 == s.count {
                    i += 1
                } else if s[i] == 43 || s[i] == 45, let oh = number(i + 1, 2), i + 6 == s.count, s[i + 3] == 58,
                          let om = number(i + 4, 2), oh < 24, om < 60 {  // RFC 3339 §5.6: time-numoffset
                    offset = (oh * 3600 + om * 60) * (s[i] == 43 ? 1 : -1)
                    i += 6
                } else {
                    return nil
                }
            }
        }
        guard i == s.count else { return nil }
        let epoch = UTCTime.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(epoch - offset))
    }

    /// 28 to 31: 30 February is no date (it was read as 2 March), nor is 29 February 2027.
    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
