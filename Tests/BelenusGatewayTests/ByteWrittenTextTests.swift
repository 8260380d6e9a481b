import BelenusBytes
import Testing

/// The CGI answer's head and the request log's line are written byte by byte (the front door's
/// process is short, and the first use of interpolation and scalar views was a share of it):
/// here they are compared with the readings by scalar they replaced, on hostile text.
@Suite struct ByteWrittenTextTests {
    /// Text with what a header or a log line must not let through: line ends and tabs, alone and
    /// under a combining mark (one Character), NUL, DEL, multi-byte letters and emoji.
    static let hostile = [
        "", "plain", "a\r\nb", "a\r\u{301}\nb", "\n\u{301}", "tab\there", "nul\0x", "del\u{7f}", "ñandú/tickets/7", "👩‍💻\r",
        String(repeating: "é", count: 600), String(repeating: "a\u{301}", count: 300) + "\n",
    ]

    @Test(arguments: [0, 7, -7, 10, 99, 100, 1_000_000, Int.max, Int.min])
    func decimalsAreWhatInterpolationWrites(_ value: Int) {
        var bytes: [UInt8] = [UInt8(ascii: "x")]
        ByteText.appendDecimal(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x\(value)")
    }

    @Test(arguments: hostile)
    func aLogFieldKeepsItsScalarsAndLosesItsControls(_ text: String) {
        for most in [0, 1, 5, 512] {
            let byScalar = String(String.UnicodeScalarView(text.unicodeScalars.prefix(most).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
            #expect(RequestLog.printable(text, most) == byScalar)
        }
    }

    @Test func aLogLineHasSixFieldsWhateverTheRoute() {
        for route in Self.hostile {
            let line = RequestLog.line(at: 1_764_410_400.9, method: "GET\r\n", route: route, user: nil, status: 303, milliseconds: 12.34)
            let fields = line.utf8.split(separator: 9, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            #expect(fields.count == 6 && line.utf8.filter { $0 == 10 }.count == 1 && line.hasSuffix("\n"))
            #expect(fields[0] == "2025-11-29T10:00:00Z" && fields[1] == "GET??" && fields[3] == "-" && fields[4] == "303" && fields[5] == "12.3\n")
            #expect(fields[2] == RequestLog.printable(route, RequestLog.maxRouteScalars))
        }
        #expect(RequestLog.line(at: 0, method: "GET", route: "/", user: "ana", status: 200, milliseconds: -0.26).hasSuffix("\tana\t200\t-0.3\n"))
    }

    @Test func anAnswersHeadersLoseTheirLineEndsByByte() {
        for value in Self.hostile {
            let answer = CGIText.answer(status: 200, reason: "OK", headers: [("X-Test", value)], body: Array("ñ".utf8))
            let byScalar = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
            #expect(answer == Array("Status: 200 OK\r\nX-Test: \(byScalar)\r\nContent-Length: 2\r\n\r\nñ".utf8))
        }
    }
}
