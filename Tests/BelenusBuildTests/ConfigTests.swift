import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusBuild
import Foundation
import Testing

/// `belenus.toml` as SPEC §1 describes it: defaults for every missing key, each key read, and an
/// error that names the file and the key (or the line) for what cannot be read.
@Suite struct ConfigTests {
    let folder = NSTemporaryDirectory() + "belenus-config-" + UUID().uuidString

    func load(_ text: String) throws -> SiteConfig {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/belenus.toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try SiteConfig.load(path: path)
    }

    func error(_ text: String) -> String {
        do { _ = try load(text); return "no error" } catch { return "\(error)" }
    }

    /// `belenus init` writes the file from a value: every default, and what it was given.
    @Test func theInitialFileHoldsEveryDefaultAndTheChanges() throws {
        #expect(try load(ConfigFile.initial()) == SiteConfig())
        var expected = SiteConfig()
        expected.timezone = "America/Mexico_City"
        expected.supportTeam = ["a@soporte.mx", "b@soporte.mx"]
        #expect(try load(ConfigFile.initial(["timezone": .string("America/Mexico_City"),
                                             "mail.support_team": .strings(["a@soporte.mx", "b@soporte.mx"])])) == expected)
    }

    /// A key changed as a value: the others keep theirs, a value holding quotes stays a value.
    @Test func aKeyIsChangedWithoutEditingTheText() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/belenus.toml"
        try Data("title = \"Ayuda\"\n[tickets]\nmax_attachments = 5\n".utf8).write(to: URL(fileURLWithPath: path))
        try ConfigFile.update(path, ["mail.sendmail_command": .string("/bin/x \"a\"\ntimezone = \"Marte\""), "security.cookie_secure": .bool(true)])
        let config = try SiteConfig.load(path: path)
        #expect(config.title == "Ayuda" && config.maxAttachments == 5 && config.cookieSecure && config.timezone == "UTC")
        #expect(config.sendmailCommand == "/bin/x \"a\"\ntimezone = \"Marte\"")
    }

    /// The file is replaced whole and keeps its permissions (Foundation's atomic write gave a
    /// 0640 file back as 0644); nothing temporary is left beside it.
    @Test func anUpdatedFileKeepsItsPermissions() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/belenus.toml"
        try Data("title = \"Ayuda\"\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try ConfigFile.update(path, ["title": .string("Soporte")])
        #expect(try SiteConfig.load(path: path).title == "Soporte")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["belenus.toml"])
    }

    @Test func aMissingFileGivesTheDefaults() throws {
        let config = try SiteConfig.load(path: folder + "/none.toml")
        #expect(config == SiteConfig())
        #expect(config.language == "es" && config.ticketPages == .login && config.maxAttachments == 3)
    }

    /// The pages' fingerprint holds every setting: one part per stored property, and changing
    /// any one of them moves it.
    @Test func theFingerprintHoldsEverySetting() throws {
        let base = SiteConfig()
        #expect(base.fingerprint.split(separator: "\u{1}", omittingEmptySubsequences: false).count == Mirror(reflecting: base).children.count)
        var changed: [SiteConfig] = []
        func with(_ change: (inout SiteConfig) -> Void) { var c = base; change(&c); changed.append(c) }
        with { $0.title = "x" }; with { $0.baseURL = "x" }; with { $0.gatewayPath = "/x" }; with { $0.language = "en" }
        with { $0.timezone = "America/Mexico_City" }; with { $0.ticketPages = .link }; with { $0.maxAttachments = 9 }
        with { $0.maxAttachmentBytes = 9 }; with { $0.defaultDueHours = 9 }; with { $0.dueSoonHours = 9 }; with { $0.calendar = "oficina" }
        with { $0.mailTransport = .sendmail }; with { $0.sendmailCommand = "x" }; with { $0.mailFrom = "x" }
        with { $0.supportTeam = ["x"] }; with { $0.replyTo = "s@x.mx" }; with { $0.cookieSecure = true }; with { $0.sessionHours = 9 }; with { $0.reauthMinutes = 9 }
        #expect(changed.count == Mirror(reflecting: base).children.count)
        #expect(Set(changed.map(\.fingerprint) + [base.fingerprint]).count == changed.count + 1)
    }

    @Test func everyKeyIsRead() throws {
        let config = try load("""
            title = "Ayuda"
            base_url = "https://ayuda.example.com/"
            gateway_path = "/cgi/belenus/"
            language = "en"
            timezone = "America/Mexico_City"
            ticket_pages = "link"
            [tickets]
            max_attachments = 2
            max_attachment_bytes = 2048
            default_due_hours = 48
            due_soon_hours = 6.5
            calendar = "oficina"
            [mail]
            transport = "sendmail"
            sendmail_command = "/usr/bin/msmtp -t"
            from = "Ayuda <ayuda@example.com>"
            support_team = ["a@example.com", "b@example.com"]
            reply_to = "ayuda@example.com"
            [security]
            cookie_secure = true
            session_hours = 2
            """)
        #expect(config.title == "Ayuda")
        #expect(config.baseURL == "https://ayuda.example.com")
        #expect(config.gatewayPath == "/cgi/belenus")
        #expect(config.language == "en" && config.ticketPages == .link && config.timezone == "America/Mexico_City")
        #expect(config.maxAttachments == 2 && config.maxAttachmentBytes == 2048)
        #expect(config.defaultDueHours == 48 && config.dueSoonHours == 6.5 && config.calendar == "oficina")
        #expect(config.mailTransport == .sendmail && config.sendmailCommand == "/usr/bin/msmtp -t")
        #expect(config.mailFrom == "Ayuda <ayuda@example.com>" && config.supportTeam == ["a@example.com", "b@example.com"])
        #expect(config.replyTo == "ayuda@example.com")
        #expect(config.cookieSecure && config.sessionHours == 2)
    }

    @Test func aValueOfTheWrongTypeNamesItsKey() {
        #expect(error("[tickets]\nmax_attachments = \"3\"\n").hasSuffix("belenus.toml: tickets.max_attachments: expected a whole number"))
        #expect(error("[tickets]\ndue_soon_hours = \"soon\"\n").hasSuffix("tickets.due_soon_hours: expected a number"))
        #expect(error("[mail]\nsupport_team = [\"a@example.com\", 3]\n").hasSuffix("mail.support_team: expected a list of strings"))
        #expect(error("[security]\ncookie_secure = \"yes\"\n").hasSuffix("security.cookie_secure: expected true or false"))
        #expect(error("title = 5\n").hasSuffix("title: expected a string"))
        #expect(error("mail = \"x\"\n").hasSuffix("mail: expected a table ([mail])"))
    }

    @Test func aValueOutOfItsRangeIsRefused() {
        #expect(error("language = \"fr\"\n").hasSuffix("language: \"es\" or \"en\", not \"fr\""))
        #expect(error("ticket_pages = \"open\"\n").contains("ticket_pages"))
        #expect(error("gateway_path = \"cgi\"\n").contains("gateway_path: must start with /"))
        #expect(error("[tickets]\nmax_attachment_bytes = 0\n").contains("[tickets]: limits and hours must be positive"))
        #expect(error("[mail]\ntransport = \"smtp\"\n").contains("mail.transport"))
        #expect(error("timezone = \"America/Ciudad_Gotica\"\n").hasSuffix("timezone: \"America/Ciudad_Gotica\" is not a time zone name such as \"America/Mexico_City\" or \"UTC\""))
        #expect(error("timezone = \"\"\n").contains("timezone: "))
        for bad in ["soporte", "a+b@example.mx", "Soporte <s@example.mx>", "s@x.mx, t@x.mx", "@example.mx", "s@x@y"] {
            #expect(error("[mail]\nreply_to = \"\(bad)\"\n").contains("mail.reply_to: one address LOCAL@DOMAIN without '+'"), "\(bad)")
        }
    }

    @Test func brokenTOMLNamesItsLine() {
        #expect(error("title = \"Ayuda\"\n\nlanguage = \n").contains("belenus.toml:3: "))
    }

    @Test func invalidUTF8IsRefused() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data([0x74, 0x69, 0x74, 0x6c, 0x65, 0x20, 0x3d, 0x20, 0x22, 0xff, 0x22, 0x0a]).write(to: URL(fileURLWithPath: folder + "/belenus.toml"))
        #expect(throws: SiteError.self) { try SiteConfig.load(path: folder + "/belenus.toml") }
    }
}

/// What `belenus mail receive` sets aside is kept within a bound, the newest messages first.
@Test func aFolderAnyoneCanAddToKeepsItsNewestFilesWithinItsBytes() throws {
    let folder = try TemporaryFolder("kept")
    for (i, size) in [400, 300, 200, 100].enumerated() {
        try Data(repeating: 65, count: size).write(to: URL(fileURLWithPath: folder.file("2026-12-0\(i + 1)T00:00:00Z-x.eml")))
    }
    DirectoryListing.keepNewest(in: folder.path, bytes: 650)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        == ["2026-12-02T00:00:00Z-x.eml", "2026-12-03T00:00:00Z-x.eml", "2026-12-04T00:00:00Z-x.eml"])  // 100 + 200 + 300; the oldest's 400 pass 650
}
