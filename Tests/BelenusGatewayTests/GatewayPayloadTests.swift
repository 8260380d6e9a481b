import BelenusTestSupport
import Foundation
import Testing

/// Every text field of every route, sent through the real gateway with the characters that
/// glue themselves to a combining mark (a NUL, a CR, an LF, a quote, a `<`), urlencoded and as
/// multipart: the answer is a 400 naming that field, or the value is stored byte for byte and
/// shown escaped on its page, never cut. A NUL is always a 400 (issue 13).
@Suite struct GatewayPayloadTests {
    static let payloads = ["\u{0}", "\u{0}\u{0483}", "\r\u{0301}", "\n\u{0301}", "\"\u{0301}", "<\u{0301}"]

    /// A field of a route, and where its value ends up.
    enum Field: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case title, body, comment, closeNote, reopenReason, providerRef, publishTitle, publishBody, login, fileName
        var testDescription: String { rawValue }
        /// The form field's name, as the answer's `field` names it.
        var formName: String {
            switch self {
            case .title, .publishTitle: "title"
            case .providerRef: "provider_ref"
            case .login: "login"
            case .fileName: "file"
            default: "body"
            }
        }
        /// Markdown: its page shows cmark's HTML, in which a CR or LF is a line end.
        var isMarkdown: Bool { [.body, .comment, .closeNote, .reopenReason, .publishBody].contains(self) }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let field: Field
        let multipart: Bool
        var testDescription: String { "\(field.rawValue), \(multipart ? "multipart" : "urlencoded")" }
    }

    static let cases = Field.allCases.flatMap { field in
        field == .fileName ? [Case(field: field, multipart: true)] : [Case(field: field, multipart: false), Case(field: field, multipart: true)]
    }

    @Test(arguments: cases)
    func aGluedCharacterIsRefusedOnItsFieldOrKeptByteForByte(_ c: Case) throws {
        let site = try GatewaySite.make()
        defer { try? FileManager.default.removeItem(atPath: site.root) }
        for payload in Self.payloads {
            let value = "antes" + payload + "después"
            let sent = try send(value, in: c, to: site)
            let described = "\(c.testDescription) with \(payload.unicodeScalars.map { String($0.value, radix: 16) })"
            if payload.utf8.contains(0) {
                #expect(sent.answer.status == 400, "\(described): \(sent.answer.status) \(sent.answer.body)")
            }
            if sent.answer.status == 400 {
                #expect(sent.answer.json["field"] as? String == c.field.formName, "\(described): \(sent.answer.body)")
                #expect(sent.stored == nil || sent.stored?.contains("antes") == false, "\(described): stored \(sent.stored ?? "")")
                continue
            }
            #expect(sent.answer.status == (c.field == .login ? 401 : 303), "\(described): \(sent.answer.status) \(sent.answer.body)")
            if c.field != .login {  // a refused login stores nothing; its form shows what was typed
                #expect(sent.stored.map { Array($0.utf8) } == Array(value.utf8), "\(described): stored \(sent.stored.map { Array($0.utf8) } ?? [])")
            }
            // On the page: escaped, and all of it; a Markdown field's line end is cmark's.
            let shown = c.field.isMarkdown ? String(String.UnicodeScalarView(value.unicodeScalars.drop { $0 != "\r" && $0 != "\n" }.drop { $0 == "\r" || $0 == "\n" })) : value
            let expected = c.field.isMarkdown && shown.isEmpty ? value : shown
            #expect(sent.page.utf8.count > 0, "\(described): no page")
            #expect(Self.contains(sent.page, Self.escape(expected)), "\(described): the page does not show \(Self.escape(expected))")
        }
    }

    /// What a request did: its answer, the value stored (nil: none), the page that shows it.
    struct Sent {
        let answer: CGI.Answer
        let stored: String?
        let page: String
    }

    func send(_ value: String, in c: Case, to site: GatewaySite) throws -> Sent {
        func post(_ path: String, as login: CGI.Login?, _ fields: [(String, String)], files: [(String, String, [UInt8])] = []) throws -> CGI.Answer {
            let withToken = (login.map { [("csrf", $0.csrf)] } ?? []) + fields
            let body = c.multipart ? CGI.multipart(withToken, files: files) : CGI.urlencoded(withToken)
            return try CGI.run(site: site.root, "POST", path, body: body,
                               contentType: c.multipart ? CGI.multipartType : "application/x-www-form-urlencoded",
                               session: login, headers: ["Accept": "application/json"], through: site.runner)
        }
        func ticketPage(_ n: Int) throws -> String { try site.run("GET", "/tickets/\(n)", as: site.tech).body }
        func lastEvent(_ n: Int, _ kind: String) throws -> String? {
            try stored("SELECT hex(body) FROM events WHERE ticket = \(n) AND kind = '\(kind)' ORDER BY id DESC LIMIT 1")
        }
        func stored(_ sql: String) throws -> String? {
            let hex = try site.sqlite(sql)
            return hex.isEmpty ? nil : String(decoding: Self.bytes(hex: hex), as: UTF8.self)
        }
        let fields = [("product", "Nómina"), ("version", "2025.1")]
        switch c.field {
        case .title, .body:
            let before = try site.count("tickets")
            let answer = try post("/tickets", as: site.ana, fields + [("title", c.field == .title ? value : "Título"), ("body", c.field == .body ? value : "Texto")])
            let n = before + 1
            guard answer.status == 303 else {
                return Sent(answer: answer, stored: try stored("SELECT hex(\(c.field.rawValue)) FROM tickets WHERE instr(\(c.field.rawValue), 'antes') > 0 LIMIT 1"), page: "")
            }
            return Sent(answer: answer, stored: try stored("SELECT hex(\(c.field.rawValue)) FROM tickets WHERE number = \(n)"), page: try ticketPage(n))
        case .comment:
            let n = try site.openTicket(as: site.ana)
            let answer = try post("/tickets/\(n)/comments", as: site.ana, [("body", value)])
            return Sent(answer: answer, stored: try lastEvent(n, "comment"), page: try ticketPage(n))
        case .closeNote:
            let n = try site.openTicket(as: site.ana)
            let answer = try post("/tickets/\(n)/close", as: site.tech, [("body", value)])
            return Sent(answer: answer, stored: try lastEvent(n, "close"), page: try ticketPage(n))
        case .reopenReason:
            let n = try site.openTicket(as: site.ana)
            #expect(try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "Resuelto.")]).status == 303)
            let answer = try post("/tickets/\(n)/reopen", as: site.ana, [("body", value)])
            return Sent(answer: answer, stored: try lastEvent(n, "reopen"), page: try ticketPage(n))
        case .providerRef:
            let n = try site.openTicket(as: site.ana)
            let answer = try post("/tickets/\(n)/update", as: site.tech, [("provider_ref", value)])
            return Sent(answer: answer, stored: try stored("SELECT hex(provider_ref) FROM tickets WHERE number = \(n) AND provider_ref IS NOT NULL"), page: try ticketPage(n))
        case .publishTitle, .publishBody:
            let n = try site.openTicket(as: site.ana)
            #expect(try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", "Resuelto.")]).status == 303)
            #expect(try site.run("POST", "/tickets/\(n)/approve", as: site.ana, fields: []).status == 303)
            let title = c.field == .publishTitle ? value : "Artículo \(n)", body = c.field == .publishBody ? value : "Solución."
            let answer = try post("/tickets/\(n)/publish", as: site.tech, [("title", title), ("body", body)])
            guard answer.status == 303 else { return Sent(answer: answer, stored: nil, page: "") }
            let slug = answer.location.split(separator: "/").last.map(String.init) ?? ""
            let article = try KBFile(text: site.read("var/kb/\(slug).md"))
            return Sent(answer: answer, stored: c.field == .publishTitle ? article.title : article.body,
                        page: site.read("output/public/kb/\(slug)/index.html"))
        case .login:
            let answer = try post("/login", as: nil, [("login", value), ("password", "no es la clave")])
            guard answer.status == 401 else { return Sent(answer: answer, stored: nil, page: "") }
            // The form comes back with what was typed in it.
            let form = try CGI.run(site: site.root, "POST", "/login", body: CGI.urlencoded([("login", value), ("password", "no es la clave")]),
                                   contentType: "application/x-www-form-urlencoded", through: site.runner)
            #expect(form.status == 401)
            return Sent(answer: answer, stored: nil, page: form.body)
        case .fileName:
            let n = try site.openTicket(as: site.ana)
            let answer = try post("/tickets/\(n)/comments", as: site.ana, [("body", "Adjunto.")], files: [("file", value, Array("datos".utf8))])
            return Sent(answer: answer, stored: try stored("SELECT hex(name) FROM attachments WHERE ticket = \(n)"), page: try ticketPage(n))
        }
    }

    /// A published article's front matter title and its body, as the gateway wrote them.
    struct KBFile {
        let title: String
        let body: String
        init(text: String) throws {
            let parts = text.components(separatedBy: "\n---\n\n")
            let titleLine = try #require(parts.first?.split(separator: "\n").first { $0.hasPrefix("title: ") })
            let json = try JSONSerialization.jsonObject(with: Data(titleLine.dropFirst(7).utf8), options: .fragmentsAllowed)
            title = try #require(json as? String)
            body = String(parts.dropFirst().joined(separator: "\n---\n\n").dropLast())  // the file ends with a newline
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// By bytes: `String.contains` compares Characters, which is the very thing under test.
    static func contains(_ page: String, _ text: String) -> Bool {
        let hay = Array(page.utf8), needle = Array(text.utf8)
        guard !needle.isEmpty, needle.count <= hay.count else { return false }
        return (0...(hay.count - needle.count)).contains { hay[$0] == needle[0] && hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...($0 + 1)], as: UTF8.self), radix: 16) }
    }
}
