import BelenusCore
import Foundation

/// One request as the web server hands it to a CGI program (RFC 3875 §4.1).
public struct CGIRequest: Sendable {
    public var method: String
    /// The route below the gateway's mount point: "/tickets/5".
    public var path: String
    public var query: [(name: String, value: String)]
    /// Request headers by lower-case name ("accept", "cookie", "origin"…), from `HTTP_*`.
    public var headers: [String: String]
    public var contentType: String?
    /// RFC 3875 §4.1.2: the body's length; 0 when absent or malformed.
    public var contentLength: Int
    /// Why the request, as the server handed it over, cannot be taken (a `CONTENT_LENGTH` that
    /// is not a number): the client's error, answered 400 before anything else is looked at.
    public var malformed: GatewayError?
    public var remoteAddress: String
    public var isHTTPS: Bool

    /// From the CGI variables. `HTTP_PROXY` is a request header ("Proxy:") like any other and
    /// is never read as a proxy setting (httpoxy).
    public init(environment env: [String: String]) {
        method = (env["REQUEST_METHOD"] ?? "GET").uppercased()
        path = Self.route(env)
        query = (try? FormFields.parseURLEncoded(Array((env["QUERY_STRING"] ?? "").utf8)).pairs) ?? []
        var headers: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("HTTP_") {
            headers[String(key.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })] = value
        }
        self.headers = headers
        contentType = env["CONTENT_TYPE"].flatMap { $0.isEmpty ? nil : $0 }
        // RFC 3875 §4.1.2: CONTENT_LENGTH = 1*digit. Int() alone would take "+5" and "-5".
        let length = env["CONTENT_LENGTH"] ?? ""
        if length.isEmpty {
            contentLength = 0
        } else if length.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(length) {
            contentLength = n
        } else {
            contentLength = 0
            malformed = GatewayError(
                400, "the request's length (CONTENT_LENGTH \"\(length)\") is not a number", field: "form", code: "bad_length")
        }
        remoteAddress = env["REMOTE_ADDR"] ?? ""
        isHTTPS = (env["HTTPS"] ?? "").lowercased() == "on" || env["REQUEST_SCHEME"] == "https"
    }

    /// `PATH_INFO`, or where a server leaves it empty (a gateway mounted by alias or a rewrite),
    /// the part of `REQUEST_URI` after `SCRIPT_NAME`, decoded.
    static func route(_ env: [String: String]) -> String {
        if let info = env["PATH_INFO"], !info.isEmpty { return info }
        let script = env["SCRIPT_NAME"] ?? ""
        guard let uri = env["REQUEST_URI"], !script.isEmpty else { return "/" }
        let pathPart = ByteText.split(uri, at: "?", maxSplits: 1, keepingEmpty: true).first ?? ""
        let decoded = pathPart.removingPercentEncoding ?? pathPart
        guard ByteText.hasPrefix(decoded, script) else { return "/" }
        let rest = String(decoding: decoded.utf8.dropFirst(script.utf8.count), as: UTF8.self)
        return rest.isEmpty ? "/" : rest
    }

    public func queryValue(_ name: String) -> String? { query.last { $0.name == name }?.value }

    public var wantsJSON: Bool { ByteText.contains((headers["accept"] ?? "").lowercased(), "application/json") }

    /// Cookies by name (RFC 6265 §5.4); the first of two with one name wins.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in CGIText.cookiePairs(headers["cookie"] ?? "") where result[name] == nil { result[name] = value }
        return result
    }
}

