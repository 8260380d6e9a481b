#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant in seconds since 1970 as ISO 8601 in UTC ("2026-11-29T10:00:00Z"): `Timestamp.iso`
/// and the request log's time (the log is written by the front door too, without Foundation).
public enum UTCTime {
    /// An instant's calendar fields in UTC (month 1–12), what `gmtime` gives.
    public struct Fields: Sendable, Equatable {
        public let year, month, day, hour, minute, second: Int
    }

    /// Worked out from the count of days (H. Hinnant's `civil_from_days`, the inverse of
    /// `daysSinceEpoch`), not by `gmtime_r`: glibc's reads the time zone file on its first call
    /// (seven system calls of a page view's process) and takes a process-wide lock on every call
    /// (a dozen dates a ticket page, on every thread of a build).
    public static func fields(_ seconds: Int) -> Fields {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let time = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // from March 1st
        let m = (5 * dayOfYear + 2) / 153
        let month = m < 10 ? m + 3 : m - 9
        return Fields(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: dayOfYear - (153 * m + 2) / 5 + 1,
                      hour: time / 3600, minute: time % 3600 / 60, second: time % 60)
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
    /// `days_from_civil`); a day past the month's end runs into the next month, as with `timegm`.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func iso(_ seconds: Int) -> String {
        let t = fields(seconds)
        // By hand: String(format:) was 6% of a full build (several times per ticket page).
        var bytes = [UInt8]()
        bytes.reserveCapacity(20)
        appendDigits(t.year, 4, to: &bytes); bytes.append(45)
        appendDigits(t.month, 2, to: &bytes); bytes.append(45)
        appendDigits(t.day, 2, to: &bytes); bytes.append(84)
        appendDigits(t.hour, 2, to: &bytes); bytes.append(58)
        appendDigits(t.minute, 2, to: &bytes); bytes.append(58)
        appendDigits(t.second, 2, to: &bytes); bytes.append(90)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The last `count` decimal digits of `value` (not negative), zero-padded: "07", "2026".
    public static func appendDigits(_ value: Int, _ count: Int, to bytes: inout [UInt8]) {
        var place = 1
        for _ in 1..<count { place *= 10 }
        while place > 0 {
            bytes.append(UInt8(48 + value / place % 10))
            place /= 10
        }
    }

    /// Now, in seconds since 1970 with a fraction.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
