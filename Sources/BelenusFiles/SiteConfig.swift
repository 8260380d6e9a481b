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
    /// The IANA zone in which people read and type dates ("America/Mexico_City"); JSON stays UTC.
    public var timezone = "UTC"
    public var ticketPages = TicketPages.login
    public var maxAttachments = 3
    public var maxAttachmentBytes = 1_048_576
    public var defaultDueHours = 72.0
    public var dueSoonHours = 24.0
    /// The calendar of the tickets of companies without one of their own (SPEC §3).
    public var calendar = BusinessCalendar.alwaysName
    public var mailTransport = MailTransport.file
    public var sendmailCommand = "/usr/sbin/sendmail -t -i"
    public var mailFrom = "Soporte <no-reply@localhost>"
    public var supportTeam = ["soporte@localhost"]
    /// Where replies to notifications go, `LOCAL@DOMAIN` (SPEC §7); "": notifications are no-reply.
    public var replyTo = ""
    public var cookieSecure = false
    public var sessionHours = 12.0
    /// An administrator's change needs the password typed within this many minutes (SPEC §5).
    public var reauthMinutes = 15.0

    public init() {}

    public var slaPolicy: SLAPolicy { SLAPolicy(defaultDueHours: defaultDueHours, dueSoonHours: dueSoonHours) }

    /// Every setting, for the pages' fingerprints, written field by field: interpolating the
    /// struct went through `Mirror` and the runtime's conformance lookups, 1 ms of every request
    /// that renders a page. A test checks that no field is left out.
    public var fingerprint: String {
        [title, baseURL, gatewayPath, language, timezone, ticketPages.rawValue, String(maxAttachments), String(maxAttachmentBytes),
         String(defaultDueHours), String(dueSoonHours), calendar, mailTransport.rawValue, sendmailCommand, mailFrom,
         supportTeam.joined(separator: "\u{2}"), replyTo, String(cookieSecure), String(sessionHours),
         String(reauthMinutes)].joined(separator: "\u{1}")
    }

    /// Reads `path`; a missing file gives the defaults. Errors name the file, the line or the key.
    ///
    /// The keys are read from the parsed table by hand, not through TOMLKit's `Decodable`
    /// decoder: every CGI request reads this file, and the decoder's generic machinery cost a
    /// request about a millisecond (a tenth of it).
    public static func load(path: String) throws -> SiteConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return SiteConfig() }
        guard let text = String(validating: data, as: UTF8.self) else { throw SiteError(file: path, "not UTF-8") }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SiteError(file: path, line: error.source.begin.line, error.description)
        }
        let file = Keys(table: root, prefix: "", path: path)
        var c = SiteConfig()
        c.title = try file.text("title") ?? c.title
        c.baseURL = (try file.text("base_url") ?? c.baseURL).trimmingSuffix("/")
        c.gatewayPath = (try file.text("gateway_path") ?? c.gatewayPath).trimmingSuffix("/")
        c.language = try file.text("language") ?? c.language
        guard ["es", "en"].contains(c.language) else { throw SiteError(file: path, "language: \"es\" or \"en\", not \"\(c.language)\"") }
        c.timezone = try file.text("timezone") ?? c.timezone
        guard Self.isKnownTimeZone(c.timezone) else {
            throw SiteError(file: path, "timezone: \"\(c.timezone)\" is not a time zone name such as \"America/Mexico_City\" or \"UTC\"")
        }
        if let pages = try file.text("ticket_pages") {
            guard let value = TicketPages(rawValue: pages) else {
                throw SiteError(file: path, "ticket_pages: \"login\" or \"link\", not \"\(pages)\"")
            }
            c.ticketPages = value
        }
        guard c.gatewayPath.hasPrefix("/") else { throw SiteError(file: path, "gateway_path: must start with /") }
        if let t = try file.section("tickets") {
            c.maxAttachments = try t.int("max_attachments") ?? c.maxAttachments
            c.maxAttachmentBytes = try t.int("max_attachment_bytes") ?? c.maxAttachmentBytes
            c.defaultDueHours = try t.number("default_due_hours") ?? c.defaultDueHours
            c.dueSoonHours = try t.number("due_soon_hours") ?? c.dueSoonHours
            c.calendar = try t.text("calendar") ?? c.calendar
            guard c.maxAttachments >= 0, c.maxAttachmentBytes > 0, c.defaultDueHours > 0, c.dueSoonHours >= 0 else {
                throw SiteError(file: path, "[tickets]: limits and hours must be positive")
            }
        }
        if let m = try file.section("mail") {
            if let transport = try m.text("transport") {
                guard let value = MailTransport(rawValue: transport) else {
                    throw SiteError(file: path, "mail.transport: \"file\" or \"sendmail\", not \"\(transport)\"")
                }
                c.mailTransport = value
            }
            c.sendmailCommand = try m.text("sendmail_command") ?? c.sendmailCommand
            c.mailFrom = try m.text("from") ?? c.mailFrom
            c.supportTeam = try m.strings("support_team") ?? c.supportTeam
            c.replyTo = try m.text("reply_to") ?? c.replyTo
            // One mailbox: LOCAL@DOMAIN, printable ASCII, no `+` (the token goes after one).
            let bytes = Array(c.replyTo.utf8)
            guard bytes.isEmpty || (bytes.filter { $0 == UInt8(ascii: "@") }.count == 1 && bytes.first != UInt8(ascii: "@")
                && bytes.last != UInt8(ascii: "@") && bytes.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "+")
                    && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: ",") })
            else {
                throw SiteError(
                    file: path, "mail.reply_to: one address LOCAL@DOMAIN without '+' (such as soporte@example.mx), not \"\(c.replyTo)\"")
            }
        }
        if let s = try file.section("security") {
            c.cookieSecure = try s.bool("cookie_secure") ?? c.cookieSecure
            c.sessionHours = try s.number("session_hours") ?? c.sessionHours
            c.reauthMinutes = try s.number("reauth_minutes") ?? c.reauthMinutes
        }
        return c
    }

    /// Whether `name` is a zone of the IANA database Foundation carries (ICU's copy: the same on
    /// every machine, with or without `/usr/share/zoneinfo`).
    /// The text of top-level `key` in the TOML file at `path`, when the file parses (for
    /// `belenus doctor`, which names a bad time zone even when the config does not load).
    public static func rawText(key: String, path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(validating: data, as: UTF8.self),
              let root = try? TOMLTable(string: text) else { return nil }
        return root[key]?.string
    }

    public static func isKnownTimeZone(_ name: String) -> Bool {
        !name.isEmpty && TimeZone(identifier: name) != nil
    }

    /// One table of the file; a key of the wrong type is an error that names it.
    private struct Keys {
        let table: TOMLTable
        let prefix: String
        let path: String

        func text(_ key: String) throws -> String? { try value(key, "a string") { $0.string } }
        func int(_ key: String) throws -> Int? { try value(key, "a whole number") { $0.int } }
        func bool(_ key: String) throws -> Bool? { try value(key, "true or false") { $0.bool } }
        /// A number written either way: `72` or `72.5`.
        func number(_ key: String) throws -> Double? { try value(key, "a number") { $0.int.map(Double.init) ?? $0.double } }
        func strings(_ key: String) throws -> [String]? {
            try value(key, "a list of strings") { value in
                value.array.flatMap { array in
                    let strings = array.compactMap(\.string)
                    return strings.count == array.count ? strings : nil
                }
            }
        }
        func section(_ key: String) throws -> Keys? {
            try value(key, "a table ([\(prefix)\(key)])") { $0.table }.map { Keys(table: $0, prefix: prefix + key + ".", path: path) }
        }

        private func value<T>(_ key: String, _ expected: String, _ read: (TOMLValueConvertible) -> T?) throws -> T? {
            guard let value = table[key] else { return nil }
            guard let typed = read(value) else { throw SiteError(file: path, "\(prefix)\(key): expected \(expected)") }
            return typed
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
