#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant in seconds since 1970 as ISO 8601 in UTC ("2026-11-29T10:00:00Z"): `Timestamp.iso`
/// and the request log's time (the log is written by the front door too, without Foundation).
public enum UTCTime {
    /// An instant's calendar fields in UTC, as `gmtime` gives them (month 1–12).
    public struct Fields: Sendable {
        public let year, month, day, hour, minute, second: Int
    }

    public static func fields(_ seconds: Int) -> Fields {
        var copy = time_t(seconds)
        var parts = tm()
        gmtime_r(&copy, &parts)
        return Fields(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                      hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
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
