/// What the whole gateway and its front door both read and write of CGI: the Cookie header,
/// session and CSRF tokens, a ticket's page path, the answer's head. One reading of each, so that
/// the front door answers exactly as the whole gateway would.
public enum CGIText {
    /// RFC 6265 §5.4, by bytes: pairs split at ";", name and value at the first "=", spaces and
    /// tabs trimmed; parts without "=" or with an empty name skipped. In the header's order (the
    /// first of two with one name is the one that counts).
    public static func cookiePairs(_ header: String) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for part in ByteText.split(header, at: ";") {
            let pair = ByteText.split(part, at: "=", maxSplits: 1, keepingEmpty: true)
            guard pair.count == 2 else { continue }
            let name = ByteText.trimmed(pair[0])
            if !name.isEmpty { pairs.append((name, ByteText.trimmed(pair[1]))) }
        }
        return pairs
    }

    /// A session or CSRF token as the gateway makes them: 64 lower-case hex digits (by byte).
    @inlinable public static func isToken(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Ticket `number`'s generated page, below `output/`.
    public static func ticketPagePath(_ number: Int) -> String { "private/tickets/\(number)/index.html" }

    /// An answer as CGI output (RFC 3875 §6): `Status:`, the headers (values without CR or LF:
    /// no header injection; by byte, as "\r\n" is one Character), `Content-Length`, the body.
    /// Written as bytes into one array, as the log line and the page's slots are: the first use of
    /// string interpolation and scalar views costs a short process (docs/performance.md).
    public static func answer(status: Int, reason: String, headers: [(name: String, value: String)], body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024 + body.count)
        bytes += "Status: ".utf8
        ByteText.appendDecimal(status, to: &bytes)
        bytes.append(32)
        bytes += reason.utf8
        bytes += [13, 10]
        for (name, value) in headers {
            bytes += name.utf8
            bytes += [58, 32]
            for byte in value.utf8 where byte != 13 && byte != 10 { bytes.append(byte) }
            bytes += [13, 10]
        }
        bytes += "Content-Length: ".utf8
        ByteText.appendDecimal(body.count, to: &bytes)
        bytes += [13, 10, 13, 10]
        bytes += body
        return bytes
    }

    /// The 500 of a gateway that cannot start (no site, no `belenus-gateway-full`), with the
    /// security headers of every other answer. The reason is in the server's error log only.
    public static func notSetUp() -> [UInt8] {
        answer(status: 500, reason: "Internal Server Error", headers: [("Content-Type", "text/plain; charset=utf-8")] + SecurityHeaders.all,
               body: Array("The support site is not set up: see the server's error log.\n".utf8))
    }
}
