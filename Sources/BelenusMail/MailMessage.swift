import BelenusCore
import BelenusStore
import Foundation

/// One outbox message as RFC 5322 text: UTF-8 headers as RFC 2047 encoded words, the body
/// quoted-printable, threading headers per ticket, and no way for a value to add a header.
public struct MailMessage: Sendable {
    public let from: String
    public let recipients: [String]
    public let subject: String
    public let body: String
    public let date: Date
    public let messageID: String
    /// The ticket's thread root (the Message-ID of its first mail); nil for that first mail.
    public let threadRoot: String?
    /// `LOCAL+TOKEN@DOMAIN` of a notification to one person when replies by mail are on.
    public let replyTo: String?

    /// Message-IDs: `<belenus.tN.mID@domain>`; the ticket's thread root is `<belenus.tN@domain>`,
    /// which is the Message-ID of its `created` mail, so every mail of a ticket threads under it.
    public init(_ message: OutboxMessage, from: String) {
        self.from = from
        self.recipients = message.recipients
        self.subject = message.subject
        self.body = message.body
        self.date = message.createdAt
        self.replyTo = message.replyTo
        let domain = Self.domain(of: from)
        if let ticket = message.ticket {
            let root = "<belenus.t\(ticket).\(Self.siteTag(from))@\(domain)>"
            if message.eventKind == TicketEvent.Kind.created.rawValue {
                messageID = root
                threadRoot = nil
            } else {
                messageID = "<belenus.t\(ticket).m\(message.id).\(Self.siteTag(from))@\(domain)>"
                threadRoot = root
            }
        } else {
            messageID = "<belenus.m\(message.id).\(Self.siteTag(from))@\(domain)>"
            threadRoot = nil
        }
    }

    /// The whole message, CRLF line ends (RFC 5322 §2.1).
    public var rfc5322: String {
        var headers = [
            "From: \(Self.address(from))",
            "To: \(recipients.map(Self.address).joined(separator: ",\r\n "))",
            "Subject: \(Self.encodedWords(subject, prefix: "Subject: ".count))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
        ]
        if let threadRoot {
            headers.append("In-Reply-To: \(threadRoot)")
            headers.append("References: \(threadRoot)")
        }
        if let replyTo { headers.append("Reply-To: \(Self.address(replyTo))") }
        headers += [
            "Auto-Submitted: auto-generated",  // RFC 3834: no auto-replies to this
            "X-Auto-Response-Suppress: All",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + Self.quotedPrintable(body) + "\r\n"
    }

    // MARK: - Header values

    /// Drops every control character: a CR or LF in a value would start a new header.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
    }

    /// `Name <addr>` with the name as encoded words when it is not plain ASCII.
    static func address(_ text: String) -> String {
        let clean = headerSafe(text).trimmingCharacters(in: .whitespaces)
        guard let open = clean.lastIndex(of: "<"), clean.hasSuffix(">") else { return clean }
        let name = clean[..<open].trimmingCharacters(in: .whitespaces)
        let addr = String(clean[open...])
        guard !name.isEmpty else { return addr }
        if name.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" }) { return "\"\(name)\" \(addr)" }
        return "\(encodedWords(name, prefix: 6)) \(addr)"
    }

    /// RFC 2047 §2, §5: ASCII text as it is; else `=?UTF-8?B?…?=` words of at most 75 characters,
    /// cut between Unicode scalars (§5: never inside a character's bytes), folded onto
    /// continuation lines. Not between `Character`s: one letter with 100,000 combining marks is
    /// one Character, and was one 533 KB line (RFC 5322 §2.1.1: at most 998).
    static func encodedWords(_ text: String, prefix: Int) -> String {
        let clean = headerSafe(text)
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) && clean.utf8.count + prefix <= 78 { return clean }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 45 bytes -> 60 base64 characters + 12 = 72; the first word shares its line with the
        // header's name: lines of at most 78 (RFC 5322 §2.1.1).
        var room = min(45, (78 - prefix - 12) / 4 * 3)
        for scalar in clean.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > room {
                room = 45
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7), lines of at most 76 characters, CRLF line ends.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let lines = ByteText.split(ByteText.unixLineEnds(text), at: "\n", keepingEmpty: true)
        for (index, line) in lines.enumerated() {
            var length = 0
            let bytes = Array(line.utf8)
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
                let encoded: [UInt8] = plain ? [byte] : [61, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                if length + encoded.count > 75 {
                    out += [61, 13, 10]  // soft line break
                    length = 0
                }
                out += encoded
                length += encoded.count
            }
            if index < lines.count - 1 { out += [13, 10] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func domain(of from: String) -> String {
        let address = from.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? from
        let domain = address.split(separator: "@").last.map(String.init) ?? "localhost"
        let safe = domain.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        return safe.isEmpty ? "localhost" : safe
    }

    /// Tells two sites that share a sender domain apart in Message-IDs.
    static func siteTag(_ from: String) -> String {
        var hash: UInt32 = 2166136261
        for byte in from.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        return String(hash, radix: 36)
    }

    /// "Sun, 29 Nov 2026 05:43:45 +0000" (RFC 5322 §3.3), in English whatever the locale.
    static func rfc5322Date(_ date: Date) -> String {
        let iso = Timestamp.iso(date)  // YYYY-MM-DDTHH:MM:SSZ
        let parts = Array(iso.utf8)
        func field(_ r: Range<Int>) -> Int { Int(String(decoding: parts[r], as: UTF8.self)) ?? 0 }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let dayIndex = Int((date.timeIntervalSince1970 / 86400).rounded(.down)) % 7
        let weekday = days[(dayIndex + 7) % 7]
        return "\(weekday), \(field(8..<10)) \(months[field(5..<7) - 1]) \(field(0..<4)) \(String(iso.dropFirst(11).prefix(8))) +0000"
    }
}
