import BelenusCore
import Foundation

/// `belenus init DIR`: a new site with the default theme, the sample pages and an empty database.
public enum SiteInit {
    /// The checkout this binary was built from (the tests' theme), or `BELENUS_HOME`.
    public static var defaultSource: String {
        if let home = ProcessInfo.processInfo.environment["BELENUS_HOME"], !home.isEmpty { return home }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/BelenusFiles/SiteInit.swift
        return url.path
    }

    /// Every key of `belenus.toml` with its default (`ConfigFile.initial` writes it).
    public static let defaultConfig = """
        title = "Soporte en Línea"
        base_url = "http://127.0.0.1:8080"
        gateway_path = "/cgi-bin/belenus"
        language = "es"
        timezone = "UTC"
        ticket_pages = "login"

        [tickets]
        max_attachments = 3
        max_attachment_bytes = 1048576
        default_due_hours = 72
        due_soon_hours = 24
        calendar = "24x7"

        [mail]
        transport = "file"
        sendmail_command = "/usr/sbin/sendmail -t -i"
        from = "Soporte <no-reply@localhost>"
        support_team = ["soporte@localhost"]
        reply_to = ""

        [security]
        cookie_secure = false
        session_hours = 12
        reauth_minutes = 15

        """

    /// Where a new site's theme and sample content come from.
    public enum Source: Sendable {
        /// A checkout (a folder with `site-templates/` and `content/`).
        case folder(String)
        /// Files by their path in a checkout ("site-templates/…", "content/pages/…"): the ones
        /// built into `belenus`.
        case files([(path: String, bytes: [UInt8])])
    }

    /// The sample KB articles of `source`, by file name (for `belenus demo`).
    public static func sampleArticles(_ source: Source) -> [(name: String, bytes: [UInt8])] {
        switch source {
        case .folder(let root):
            let kb = SitePaths(root: root).contentKB
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: kb)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
            return names.compactMap { name in FileManager.default.contents(atPath: kb + "/" + name).map { (name, Array($0)) } }
        case .files(let files):
            return files.filter { $0.path.hasPrefix("content/kb/") && $0.path.hasSuffix(".md") }
                .map { (String($0.path.dropFirst("content/kb/".count)), $0.bytes) }
        }
    }

    /// The default theme of `source`, by path under `site-templates/`.
    public static func theme(_ source: Source) -> [(path: String, bytes: [UInt8])] {
        switch source {
        case .folder(let root):
            let templates = SitePaths(root: root).templates
            return (DirectoryListing.files(under: templates) ?? []).compactMap { path in
                FileManager.default.contents(atPath: templates + "/" + path).map { (path, Array($0)) }
            }
        case .files(let files):
            let prefix = "site-templates/"
            return files.filter { $0.path.hasPrefix(prefix) }.map { (String($0.path.dropFirst(prefix.count)), $0.bytes) }
        }
    }

    /// Refuses a folder that already holds a site; copies the theme and pages from the checkout
    /// at `source`.
    public static func create(at dir: String, from source: String = defaultSource, timezone: String = "UTC") throws -> SitePaths {
        try create(at: dir, from: .folder(source), timezone: timezone)
    }

    /// Refuses a folder that already holds a site; writes the theme and pages of `source`.
    public static func create(at dir: String, from source: Source, timezone: String = "UTC") throws -> SitePaths {
        guard SiteConfig.isKnownTimeZone(timezone) else {
            throw SiteError(file: dir, "--timezone: \"\(timezone)\" is not a time zone name such as \"America/Mexico_City\" or \"UTC\"")
        }
        let fm = FileManager.default
        let paths = SitePaths(root: dir)
        if fm.fileExists(atPath: paths.config) || fm.fileExists(atPath: paths.templates) {
            throw SiteError(file: dir, "already holds a site (belenus.toml or site-templates/)")
        }
        switch source {
        case .folder(let root):
            let from = SitePaths(root: root)
            guard fm.fileExists(atPath: from.templates) else {
                throw SiteError(file: from.templates, "no default theme here; BELENUS_HOME must name a Belenus checkout")
            }
            try fm.createDirectory(atPath: paths.root, withIntermediateDirectories: true)
            try fm.copyItem(atPath: from.templates, toPath: paths.templates)
            if fm.fileExists(atPath: from.contentPages) {
                try fm.copyItem(atPath: from.contentPages, toPath: paths.contentPages)
            }
        case .files(let files):
            guard files.contains(where: { $0.path.hasPrefix("site-templates/") }) else {
                throw SiteError(file: dir, "this binary holds no default theme")
            }
            for file in files where file.path.hasPrefix("site-templates/") || file.path.hasPrefix("content/pages/") {
                let target = paths.root + "/" + file.path
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.bytes).write(to: URL(fileURLWithPath: target))
            }
        }
        let record = ThemeDefaults.record(of: theme(source))
        try Data(record.utf8).write(to: URL(fileURLWithPath: paths.templates + "/" + ThemeDefaults.recordName))
        try fm.createDirectory(atPath: paths.contentKB, withIntermediateDirectories: true)
        try Data(try ConfigFile.initial(["timezone": .string(timezone)]).utf8).write(to: URL(fileURLWithPath: paths.config))
        try paths.prepareWritableFolders()
        return paths
    }
}
