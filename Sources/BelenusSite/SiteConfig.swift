import BelenusCore
import Foundation
import TOMLKit

/// `belenus.toml`: every key optional, defaults as in SPEC §1.
public struct SiteConfig: Hashable, Sendable {
    public enum TicketPages: String, Sendable { case login, link }
    public enum MailTransport: String, Sendable { case file, sendmail }

    public var title = "Soporte en Línea"
    public var baseURL = "http://127.0.0.1:8080"
    public var gatewayPath = "/cgi-bin/belenus"
    public var language = "es"
    public var ticketPages = TicketPages.login
    public var maxAttachments = 3
    public var maxAttachmentBytes = 1_048_576
    public var defaultDueHours = 72.0
    public var dueSoonHours = 24.0
    public var mailTransport = MailTransport.file
    public var sendmailCommand = "/usr/sbin/sendmail -t -i"
    public var mailFrom = "Soporte <no-reply@localhost>"
    public var supportTeam = ["soporte@localhost"]
    public var cookieSecure = false
    public var sessionHours = 12.0

    public init() {}

    public var slaPolicy: SLAPolicy { SLAPolicy(defaultDueHours: defaultDueHours, dueSoonHours: dueSoonHours) }

    /// A TOML number written either way: `72` or `72.5`.
    private struct Number: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let int = try? container.decode(Int.self) { value = Double(int) } else { value = try container.decode(Double.self) }
        }
    }

    /// The file's keys, mirrored for TOMLKit's decoder.
    private struct File: Decodable {
        struct Tickets: Decodable {
            var max_attachments: Int?
            var max_attachment_bytes: Int?
            var default_due_hours: Number?
            var due_soon_hours: Number?
        }
        struct Mail: Decodable {
            var transport: String?
            var sendmail_command: String?
            var from: String?
            var support_team: [String]?
        }
        struct Security: Decodable {
            var cookie_secure: Bool?
            var session_hours: Number?
        }
        var title: String?
        var base_url: String?
        var gateway_path: String?
        var language: String?
        var ticket_pages: String?
        var tickets: Tickets?
        var mail: Mail?
        var security: Security?
    }

    /// Reads `path`; a missing file gives the defaults. Errors name the file, the line or the key.
    public static func load(path: String) throws -> SiteConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return SiteConfig() }
        guard let text = String(data: data, encoding: .utf8) else { throw SiteError(file: path, "not UTF-8") }
        let file: File
        do {
            file = try TOMLDecoder().decode(File.self, from: text)
        } catch let error as TOMLParseError {
            throw SiteError(file: path, line: error.source.begin.line, error.description)
        } catch let error as DecodingError {
            throw SiteError(file: path, Self.describe(error))
        }
        var c = SiteConfig()
        c.title = file.title ?? c.title
        c.baseURL = (file.base_url ?? c.baseURL).trimmingSuffix("/")
        c.gatewayPath = (file.gateway_path ?? c.gatewayPath).trimmingSuffix("/")
        c.language = file.language ?? c.language
        guard ["es", "en"].contains(c.language) else { throw SiteError(file: path, "language: \"es\" or \"en\", not \"\(c.language)\"") }
        if let pages = file.ticket_pages {
            guard let value = TicketPages(rawValue: pages) else { throw SiteError(file: path, "ticket_pages: \"login\" or \"link\", not \"\(pages)\"") }
            c.ticketPages = value
        }
        guard c.gatewayPath.hasPrefix("/") else { throw SiteError(file: path, "gateway_path: must start with /") }
        if let t = file.tickets {
            c.maxAttachments = t.max_attachments ?? c.maxAttachments
            c.maxAttachmentBytes = t.max_attachment_bytes ?? c.maxAttachmentBytes
            c.defaultDueHours = t.default_due_hours?.value ?? c.defaultDueHours
            c.dueSoonHours = t.due_soon_hours?.value ?? c.dueSoonHours
            guard c.maxAttachments >= 0, c.maxAttachmentBytes > 0, c.defaultDueHours > 0, c.dueSoonHours >= 0 else {
                throw SiteError(file: path, "[tickets]: limits and hours must be positive")
            }
        }
        if let m = file.mail {
            if let transport = m.transport {
                guard let value = MailTransport(rawValue: transport) else { throw SiteError(file: path, "mail.transport: \"file\" or \"sendmail\", not \"\(transport)\"") }
                c.mailTransport = value
            }
            c.sendmailCommand = m.sendmail_command ?? c.sendmailCommand
            c.mailFrom = m.from ?? c.mailFrom
            c.supportTeam = m.support_team ?? c.supportTeam
        }
        if let s = file.security {
            c.cookieSecure = s.cookie_secure ?? c.cookieSecure
            c.sessionHours = s.session_hours?.value ?? c.sessionHours
        }
        return c
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .keyNotFound(let key, _): "\(key.stringValue): missing"
        @unknown default: "\(error)"
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix), s.count > 1 { s.removeLast(suffix.count) }
        return s
    }
}
