import BelenusBytes
import Foundation

/// A line of the import format read straight from its bytes: the corpus's shape only (its fields,
/// each of its type), with JSON's strings, escapes and whitespace. Anything else (a field
/// missing or null where it is required, a number that is not a plain integer, a key twice,
/// invalid UTF-8 or JSON) is left to Foundation's `JSONDecoder`, which then decodes the line or
/// words its error as before: this reader only ever gives what the decoder would give.
///
/// Written by hand because the decoder was a fifth of a million-ticket import's CPU, on two
/// cores that the import keeps busy (docs/performance.md, "Issue 35's build, page view and
/// import"); `CorpusLineTests` checks this reader against the decoder on edge cases and on
/// thousands of damaged lines.
struct CorpusLine {
    typealias Line = CorpusImporter.Line

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The line, or nil when the decoder must read it.
    static func read(_ line: some ContiguousBytes) -> Line? {
        line.withUnsafeBytes { raw in
            let buffer = raw.assumingMemoryBound(to: UInt8.self)
            var reader = CorpusLine(buffer)
            guard let result = reader.ticket() else { return nil }
            reader.skipSpace()
            return reader.at == buffer.count ? result : nil
        }
    }

    // MARK: - The corpus's objects

    private mutating func ticket() -> Line? {
        var number: Int?, title: String?, product: String?, version: String?, client: String?
        var requester: Line.Person?, createdAt: String?, dueAt: String?, status: String?, waitingOn: String?
        var responsible: String?, assigned: String??, providerRef: String??, body: String?, comments: [Line.Comment]?
        let complete = object { reader, key in
            switch key {
            case "number": return Self.once(&number, reader.integer())
            case "title": return Self.once(&title, reader.string())
            case "product": return Self.once(&product, reader.string())
            case "version": return Self.once(&version, reader.string())
            case "client": return Self.once(&client, reader.string())
            case "requester": return Self.once(&requester, reader.person())
            case "created_at": return Self.once(&createdAt, reader.string())
            case "due_at": return Self.once(&dueAt, reader.string())
            case "status": return Self.once(&status, reader.string())
            case "waiting_on": return Self.once(&waitingOn, reader.string())
            case "responsible": return Self.once(&responsible, reader.string())
            case "assigned": return Self.once(&assigned, reader.optionalString())
            case "provider_ref": return Self.once(&providerRef, reader.optionalString())
            case "body_md": return Self.once(&body, reader.string())
            case "comments": return Self.once(&comments, reader.comments())
            default: return reader.skipValue(depth: 0)
            }
        }
        guard complete, let number, let title, let product, let version, let client, let requester, let createdAt,
              let dueAt, let status, let waitingOn, let responsible, let body, let comments
        else { return nil }
        return Line(
            number: number, title: title, product: product, version: version, client: client, requester: requester,
            created_at: createdAt, due_at: dueAt, status: status, waiting_on: waitingOn, responsible: responsible,
            assigned: assigned ?? nil, provider_ref: providerRef ?? nil, body_md: body, comments: comments)
    }

    private mutating func person() -> Line.Person? {
        var name: String?, email: String?
        let complete = object { reader, key in
            switch key {
            case "name": return Self.once(&name, reader.string())
            case "email": return Self.once(&email, reader.string())
            default: return reader.skipValue(depth: 1)
            }
        }
        guard complete, let name, let email else { return nil }
        return Line.Person(name: name, email: email)
    }

    private mutating func comments() -> [Line.Comment]? {
        var list: [Line.Comment] = []
        let complete = array { reader in
            var author: String?, time: String?, body: String?
            let complete = reader.object { reader, key in
                switch key {
                case "author": return Self.once(&author, reader.string())
                case "at": return Self.once(&time, reader.string())
                case "body_md": return Self.once(&body, reader.string())
                default: return reader.skipValue(depth: 2)
                }
            }
            guard complete, let author, let time, let body else { return false }
            list.append(Line.Comment(author: author, at: time, body_md: body))
            return true
        }
        return complete ? list : nil
    }

    /// Sets `field` to `value` unless it was set already (a key twice: the decoder's to judge).
    private static func once<T>(_ field: inout T?, _ value: T?) -> Bool {
        guard field == nil, let value else { return false }
        field = value
        return true
    }

    // MARK: - JSON

    /// `{ "key": value, … }`, each value read by `member`; false on anything else.
    private mutating func object(_ member: (inout CorpusLine, String) -> Bool) -> Bool {
        items(UInt8(ascii: "{"), UInt8(ascii: "}")) { reader in
            guard let key = reader.string() else { return false }
            reader.skipSpace()
            guard reader.take(UInt8(ascii: ":")) else { return false }
            reader.skipSpace()
            return member(&reader, key)
        }
    }

    /// `[ value, … ]`, each value read by `element`; false on anything else.
    private mutating func array(_ element: (inout CorpusLine) -> Bool) -> Bool {
        items(UInt8(ascii: "["), UInt8(ascii: "]"), element)
    }

    /// `open`, items separated by commas (each read by `item`, spaces around it skipped), `close`.
    private mutating func items(_ open: UInt8, _ close: UInt8, _ item: (inout CorpusLine) -> Bool) -> Bool {
        skipSpace()
        guard take(open) else { return false }
        skipSpace()
        if take(close) { return true }
        repeat {
            skipSpace()
            guard item(&self) else { return false }
            skipSpace()
        } while take(UInt8(ascii: ","))
        return take(close)
    }

    /// A string, or null (`.some(nil)`); nil on anything else.
    private mutating func optionalString() -> String?? {
        if literal("null") { return .some(nil) }
        return string().map { .some($0) }
    }

    /// A string: its bytes as they are when it has no escape, else with its escapes decoded;
    /// nil for a control character in it, an escape JSON does not have, a lone surrogate or
    /// invalid UTF-8.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(2 * (at - start) + 64)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var value = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(value) {
                        guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low)
                        else { return nil }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { return nil }  // a lone low surrogate
                    out.append(contentsOf: UTF8.encode(scalar)!)
                default: return nil
                }
            default:
                if byte < 0x20 { return nil }
                // The run up to the next quote, escape or control character, copied at once.
                var end = at
                while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
                out.append(byte)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[at..<end]))
                at = end
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Hex.digit(bytes[at]) else { return nil }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    /// A plain integer (`-` and digits, no leading zero, no fraction or exponent), within `Int`.
    private mutating func integer() -> Int? {
        let negative = take(UInt8(ascii: "-"))
        let start = at
        var value = 0
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(bytes[at] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            at += 1
        }
        guard at > start, at - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if at < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[at]) { return nil }
        return negative ? -value : value
    }

    /// Any value the corpus's objects do not name, skipped (strings checked as `string()` does).
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 32, at < bytes.count else { return false }
        switch bytes[at] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return array { reader in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return integer() != nil  // other numbers: the decoder's
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { return false }
        at += count
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }
}
