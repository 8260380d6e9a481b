#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant in seconds since 1970 as ISO 8601 in UTC ("2026-11-29T10:00:00Z"): `Timestamp.iso`
/// and the request log's time (the log is written by the front door too, without Foundation).
public enum UTCTime {
    public static func iso(_ seconds: Int) -> String {
        let t = time_t(seconds)
        var parts = tm()
        var copy = t
        gmtime_r(&copy, &parts)
        // By hand: String(format:) was 6% of a full build (several times per ticket page).
        var bytes = [UInt8]()
        bytes.reserveCapacity(20)
        func digits(_ value: Int, _ count: Int) {
            var place = 1
            for _ in 1..<count { place *= 10 }
            while place > 0 {
                bytes.append(UInt8(48 + value / place % 10))
                place /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); bytes.append(45)
        digits(Int(parts.tm_mon) + 1, 2); bytes.append(45)
        digits(Int(parts.tm_mday), 2); bytes.append(84)
        digits(Int(parts.tm_hour), 2); bytes.append(58)
        digits(Int(parts.tm_min), 2); bytes.append(58)
        digits(Int(parts.tm_sec), 2); bytes.append(90)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Now, in seconds since 1970 with a fraction.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
