import Foundation

/// A message as a mail server hands it to `belenus mail receive` (RFC 5322 and MIME, LF or CRLF
/// line ends), parsed for what a reply needs: who sent it, to which address, whether a machine
/// did, its text and its files (SPEC §7). No I/O; fuzzed (`Tests/Fuzz`, target `mail`).
///
/// By hand, on bytes: no MIME package resolves here, and what a reply needs is small (headers
/// unfolded, encoded words, multipart to any depth, quoted-printable and base64, UTF-8, ISO-8859-1
/// and Windows-1252). Limits keep a hostile message cheap: 64 levels of parts, 10,000 parts, a
/// header block of 1 MiB.
public struct InboundMail: Sendable {
    /// A file the message carries.
    public struct File: Sendable, Equatable {
        public let name: String
        public let contentType: String
        public let bytes: [UInt8]

        public init(name: String, contentType: String, bytes: [UInt8]) {
            self.name = name
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// The header fields in order, names as written, values unfolded (encoded words left as they are).
    public let headers: [(name: String, value: String)]
    /// The text: the first `text/plain` part that is not an attachment, else the first
    /// `text/html` part turned into text; "" when there is neither.
    public let text: String
    /// Whether the text came from HTML.
    public let textWasHTML: Bool
    public let files: [File]
    /// `multipart/report` (a delivery or read report) at the top.
    public let isReport: Bool
    /// A delivery report's failed recipients (`Final-Recipient` with `Action: failed`) and the
    /// `Message-ID` of the message it reports on (from its returned copy or headers).
    public let deliveryFailures: (addresses: [String], messageID: String?)?

    /// Parses `bytes`; throws when they are not a message (no header field before the body).
    public init(_ bytes: [UInt8]) throws(InboundMailError) {
        let (head, bodyStart) = Self.splitHead(bytes, from: 0)
        let fields = Self.fields(head)
        guard !fields.isEmpty, fields.contains(where: { ["from", "to", "subject", "message-id", "date"].contains($0.name.lowercased()) })
        else { throw InboundMailError("not a mail message: no header fields") }
        headers = fields
        var collected = Collected()
        Self.walk(fields, body: bytes[bodyStart...], depth: 0, into: &collected)
        text = collected.plain ?? collected.html.map(HTMLText.text) ?? ""
        textWasHTML = collected.plain == nil && collected.html != nil
        files = collected.files
        isReport = Self.contentType(fields).type == "multipart/report"
        if isReport, let status = collected.deliveryStatus {
            deliveryFailures = (Self.failedRecipients(status), collected.returnedMessageID)
        } else {
            deliveryFailures = nil
        }
    }

    /// The recipients of a `message/delivery-status` whose `Action` is `failed` (RFC 3464).
    static func failedRecipients(_ status: String) -> [String] {
        var failed: [String] = []
        for block in status.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            let fields = Self.fields(ArraySlice(Array(block.utf8)))
            guard let recipient = header(fields, "final-recipient") ?? header(fields, "original-recipient"),
                  header(fields, "action")?.trimmingCharacters(in: .whitespaces).lowercased() == "failed"
            else { continue }
            let address = recipient.split(separator: ";").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if address.contains("@") { failed.append(address) }
        }
        return failed
    }

    /// The value of the first header field `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Every value of header field `name`.
    public func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The address of `From`, lower-case, without its display name; nil when there is none.
    public var fromAddress: String? { header("From").flatMap { Self.addresses(in: $0).first } }

    /// The addresses the message was sent to: `To`, `Cc`, and what the server recorded
    /// (`Delivered-To`, `X-Original-To`, `Envelope-To`), lower-case.
    public var recipientAddresses: [String] {
        ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"].flatMap(headerValues).flatMap(Self.addresses(in:))
    }

    /// `Message-ID` without its angle brackets and spaces; nil when absent or empty.
    public var messageID: String? {
        guard let value = header("Message-ID") else { return nil }
        let id = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "<" && $0 != ">" && !$0.properties.isWhitespace }))
        return id.isEmpty ? nil : id
    }

    /// The subject with its encoded words decoded.
    public var subject: String { MailDecoding.encodedWords(header("Subject") ?? "") }

    /// Why a machine sent it, or nil: automatic mail never becomes a comment (SPEC §7; RFC 3834's
    /// `Auto-Submitted`, `Precedence: bulk/list/junk`, an empty `Return-Path`, a report).
    /// Checked on bytes (ASCII case folded): a combining mark after `no` is not `no`.
    public var automaticReason: String? {
        if let value = header("Auto-Submitted") {
            let word = Self.folded(value)
            let no = word.starts(with: Array("no".utf8)) && (word.count == 2 || !(97...122).contains(word[2]))
            if !no { return "Auto-Submitted: \(value)" }
        }
        if let value = header("Precedence"), ["bulk", "list", "junk"].contains(where: { Self.folded(value) == Array($0.utf8) }) {
            return "Precedence: \(value)"
        }
        if let value = header("Return-Path"), Self.folded(value) == Array("<>".utf8) { return "an empty Return-Path" }
        if isReport { return "a delivery or read report (multipart/report)" }
        if header("X-Autoreply") != nil || header("X-Autorespond") != nil { return "an auto-responder's header" }
        return nil
    }

    // MARK: - Parts

    struct Collected {
        var plain: String?
        var html: String?
        var files: [File] = []
        var parts = 0
        var deliveryStatus: String?
        var returnedMessageID: String?
    }

    static let maxDepth = 64
    static let maxParts = 10_000

    static func walk(_ fields: [(name: String, value: String)], body: ArraySlice<UInt8>, depth: Int, into collected: inout Collected) {
        collected.parts += 1
        guard depth < maxDepth, collected.parts <= maxParts else { return }
        let type = contentType(fields)
        if type.type.hasPrefix("multipart/"), let boundary = type.parameters["boundary"], !boundary.isEmpty {
            for part in parts(of: body, boundary: Array(boundary.utf8)) {
                let (head, start) = splitHead(Array(part), from: 0)
                let partBytes = Array(part)
                walk(Self.fields(head), body: partBytes[start...], depth: depth + 1, into: &collected)
            }
            return
        }
        // A report's parts: what failed, and the headers of the message it is about.
        if type.type == "message/delivery-status" {
            collected.deliveryStatus = MailDecoding.text(Array(body), charset: "utf-8")
            return
        }
        if type.type == "message/rfc822" || type.type == "text/rfc822-headers" {
            let returned = Self.fields(splitHead(Array(body), from: 0).head)
            collected.returnedMessageID = header(returned, "message-id").map {
                String(String.UnicodeScalarView($0.unicodeScalars.filter { $0 != "<" && $0 != ">" && !$0.properties.isWhitespace }))
            }
            return
        }
        let disposition: (type: String, parameters: [String: String]) = header(fields, "content-disposition").map(parameters) ?? ("", [:])
        let decoded = transferDecoded(body, encoding: header(fields, "content-transfer-encoding") ?? "")
        let name = disposition.parameters["filename"] ?? type.parameters["name"]
        let attached = disposition.type == "attachment" || (name != nil && !type.type.hasPrefix("text/"))
        if !attached && type.type == "text/plain" && collected.plain == nil {
            collected.plain = MailDecoding.text(decoded, charset: type.parameters["charset"] ?? "us-ascii")
        } else if !attached && type.type == "text/html" && collected.html == nil {
            collected.html = MailDecoding.text(decoded, charset: type.parameters["charset"] ?? "us-ascii")
        } else if attached || name != nil {
            collected.files.append(File(name: MailDecoding.encodedWords(name ?? "adjunto"), contentType: type.type, bytes: decoded))
        }
    }

    /// The header block (up to the first empty line) and where the body starts.
    static func splitHead(_ bytes: [UInt8], from start: Int) -> (head: ArraySlice<UInt8>, bodyStart: Int) {
        var i = start
        let limit = min(bytes.count, start + (1 << 20))
        while i < limit {
            if bytes[i] == 10 {
                if i + 1 < bytes.count, bytes[i + 1] == 10 { return (bytes[start..<i], i + 2) }
                if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return (bytes[start..<i], i + 3) }
            }
            i += 1
        }
        if start == 0, i < bytes.count { return (bytes[start..<i], i) }
        return (bytes[start..<min(i, bytes.count)], min(i, bytes.count))
    }

    /// Header fields, unfolded (a line starting with a space or tab continues the one before).
    static func fields(_ head: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for rawLine in head.split(separator: 10, omittingEmptySubsequences: true) {
            let line = rawLine.last == 13 ? rawLine.dropLast() : rawLine
            guard let first = line.first else { continue }
            if first == 32 || first == 9 {
                guard !result.isEmpty else { continue }
                result[result.count - 1].value += " " + MailDecoding.text(Array(line.drop { $0 == 32 || $0 == 9 }), charset: "utf-8")
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
            else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = MailDecoding.text(Array(line[(colon + 1)...].drop { $0 == 32 || $0 == 9 }), charset: "utf-8")
            result.append((name, value))
        }
        return result
    }

    static func header(_ fields: [(name: String, value: String)], _ name: String) -> String? {
        fields.first { $0.name.lowercased() == name }?.value
    }

    /// `Content-Type`'s type (lower-case; `text/plain` when absent) and parameters.
    static func contentType(_ fields: [(name: String, value: String)]) -> (type: String, parameters: [String: String]) {
        guard let value = header(fields, "content-type") else { return ("text/plain", [:]) }
        let parsed = parameters(value)
        return (parsed.type.isEmpty ? "text/plain" : parsed.type, parsed.parameters)
    }

    /// `type; key=value; key="quoted value"`: the type lower-case, keys lower-case.
    static func parameters(_ value: String) -> (type: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = "", quoted = false
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.toggle(); continue }
            if scalar == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(scalar)
        }
        pieces.append(current)
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.unicodeScalars.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            // RFC 2231's `filename*=utf-8''name` is read as its plain form.
            var value = piece[piece.unicodeScalars.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            var plainKey = key
            if key.unicodeScalars.last == "*" {
                plainKey = String(key.dropLast())
                if let quote = value.range(of: "''") { value = MailDecoding.percent(String(value[quote.upperBound...])) }
            }
            parameters[plainKey] = value
        }
        return (pieces[0].trimmingCharacters(in: .whitespaces).lowercased(), parameters)
    }

    /// The parts between `--boundary` lines, without the preamble and the epilogue.
    static func parts(of body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        let marker = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var result: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: 10) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: marker) {
                if let start = partStart {
                    // The line end before the boundary belongs to it.
                    var end = lineStart
                    if end > start, body[end - 1] == 10 { end -= 1 }
                    if end > start, body[end - 1] == 13 { end -= 1 }
                    result.append(body[start..<end])
                }
                let rest = line.dropFirst(marker.count)
                if rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return result }
                partStart = min(lineEnd + 1, body.endIndex)
            }
            lineStart = lineEnd + 1
        }
        if let start = partStart, start < body.endIndex { result.append(body[start...]) }  // no closing boundary
        return result
    }

    static func transferDecoded(_ body: ArraySlice<UInt8>, encoding: String) -> [UInt8] {
        switch encoding.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": MailDecoding.base64(body)
        case "quoted-printable": MailDecoding.quotedPrintable(body)
        default: Array(body)
        }
    }

    /// Addresses in a header value: `Name <a@b>`, `a@b`, lists; ASCII lower-case. Read on bytes:
    /// an address is printable ASCII with an `@` (a `,` or `>` with a mark glued on is still one).
    public static func addresses(in value: String) -> [String] {
        var result: [String] = []
        for piece in Array(value.utf8).split(separator: UInt8(ascii: ",")) {
            var bytes = piece
            if let open = bytes.lastIndex(of: UInt8(ascii: "<")), let close = bytes.lastIndex(of: UInt8(ascii: ">")), open < close {
                bytes = bytes[(open + 1)..<close]
            }
            let address = folded(String(decoding: bytes, as: UTF8.self))
            if address.contains(UInt8(ascii: "@")) && address.allSatisfy({ $0 > 32 && $0 < 127 }) {
                result.append(String(decoding: address, as: UTF8.self))
            }
        }
        return result
    }

    /// `text`'s bytes without spaces and tabs around them, ASCII letters lower-cased.
    public static func folded(_ text: String) -> [UInt8] { folded(Array(text.utf8)) }

    static func folded(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while let last = bytes.last, last == 32 || last == 9 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 32 && $0 != 9 } ?? bytes.endIndex
        return bytes[start...].map { (65...90).contains($0) ? $0 + 32 : $0 }
    }
}

/// A message that cannot be read: `belenus mail receive` exits 65 (EX_DATAERR).
public struct InboundMailError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
