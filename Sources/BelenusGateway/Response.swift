import BelenusCore
import Foundation

/// An answer, written as CGI output (RFC 3875 §6): `Status:`, headers, a blank line, the body.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Who this answer signed in (a successful `POST /login`), for the request log; never sent.
    public var signedIn: Login?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    static func html(_ status: Int, _ text: String) -> Response {
        html(status, bytes: Array(text.utf8))
    }

    static func html(_ status: Int, bytes: [UInt8]) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: bytes)
    }

    static func json(_ status: Int, _ value: JSON) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(value.text.utf8))
    }

    /// 303 See Other to `location` (a path), with a small JSON body for API clients.
    static func seeOther(_ location: String, json: Bool) -> Response {
        var response = json ? Response.json(303, .object([("location", .string(location))])) : Response(status: 303)
        response.headers.append((name: "Location", value: location))
        return response
    }

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The bytes for standard output. Header values lose any CR or LF: no header injection.
    public var cgiBytes: [UInt8] {
        var all = headers
        for (name, value) in SecurityHeaders.all where !all.contains(where: { $0.name.lowercased() == name.lowercased() }) {
            all.append((name: name, value: value))
        }
        if !all.contains(where: { $0.name.lowercased() == "content-type" }), !body.isEmpty {
            all.append((name: "Content-Type", value: "text/plain; charset=utf-8"))
        }
        return CGIText.answer(status: status, reason: Self.reason(status), headers: all, body: body)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 303: "See Other"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: status < 500 ? "Error" : "Internal Server Error"
        }
    }
}

/// A JSON value with its keys in the order given (JSON answers of SPEC §5).
public indirect enum JSON: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    static func optional(_ text: String?) -> JSON { text.map { .string($0) } ?? .null }

    public var text: String {
        switch self {
        case .string(let s): return Self.quote(s)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let pairs): return "{" + pairs.map { Self.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// RFC 8259 §7, and `<`, `>`, `&` as \u escapes so that JSON is inert if shown as HTML.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
