@testable import BelenusBytes
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `UTCTime.fields` works the calendar out by arithmetic instead of asking `gmtime_r`: here the
/// two are compared, and the fields taken back to days by `daysSinceEpoch`.
@Suite struct UTCTimeTests {
    static func byGmtime(_ seconds: Int) -> UTCTime.Fields {
        var copy = time_t(seconds)
        var parts = tm()
        gmtime_r(&copy, &parts)
        return UTCTime.Fields(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                              hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    @Test func theFieldsAreGmtimes() {
        // Around the epoch, month and year ends, leap days (2000, 2024, not 1900 or 2100), then
        // seconds drawn over ±10,000 years by a fixed generator.
        var seconds = [0, -1, 1, 86_399, 86_400, -86_400, -86_401, 951_782_399, 951_782_400, 951_868_800, 1_709_164_800,
                       -2_203_891_200, 4_107_542_400, 1_764_410_400, 253_402_300_799, -62_135_596_800]
        var state: UInt64 = 20_261_207
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Int(truncatingIfNeeded: state >> 20) % 315_569_520_000)
        }
        for s in seconds {
            let fields = UTCTime.fields(s)
            #expect(fields == Self.byGmtime(s), "\(s)")
            let back = UTCTime.daysSinceEpoch(year: fields.year, month: fields.month, day: fields.day) * 86_400
                + fields.hour * 3600 + fields.minute * 60 + fields.second
            #expect(back == s, "\(s)")
        }
    }

    @Test func isoIsWrittenFromThem() {
        #expect(UTCTime.iso(0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso(951_868_799) == "2000-02-29T23:59:59Z")
        #expect(UTCTime.iso(-1) == "1969-12-31T23:59:59Z")
    }
}
