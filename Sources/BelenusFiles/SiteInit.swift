import BelenusCore
import Foundation

/// `belenus init DIR`: a new site with the default theme, the sample pages and an empty database.
public enum SiteInit {
    /// The site this binary was built from (the repository root): where the default theme lives.
    /// `BELENUS_HOME` overrides it for an installed binary.
    public static var defaultSource: String {
        if let home = ProcessInfo.processInfo.environment["BELENUS_HOME"], !home.isEmpty { return home }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/BelenusSite/SiteInit.swift
        return url.path
    }

    public static let defaultConfig = """
        # Belenus site configuration. Every key is optional; the defaults are shown.
        title = "Soporte en Línea"
        base_url = "http://127.0.0.1:8080"
        gateway_path = "/cgi-bin/belenus"
        language = "es"
        timezone = "UTC"                  # where people read and type dates, e.g. "America/Mexico_City"
        ticket_pages = "login"

        [tickets]
        max_attachments = 3
        max_attachment_bytes = 1048576
        default_due_hours = 72
        due_soon_hours = 24

        [mail]
        transport = "file"
        sendmail_command = "/usr/sbin/sendmail -t -i"
        from = "Soporte <no-reply@localhost>"
        support_team = ["soporte@localhost"]

        [security]
        cookie_secure = false
        session_hours = 12

        """

    /// Refuses a folder that already holds a site; copies the theme and pages from `source`.
    public static func create(at dir: String, from source: String = defaultSource, timezone: String = "UTC") throws -> SitePaths {
        guard SiteConfig.isKnownTimeZone(timezone) else {
            throw SiteError(file: dir, "--timezone: \"\(timezone)\" is not a time zone name such as \"America/Mexico_City\" or \"UTC\"")
        }
        let fm = FileManager.default
        let paths = SitePaths(root: dir)
        if fm.fileExists(atPath: paths.config) || fm.fileExists(atPath: paths.templates) {
            throw SiteError(file: dir, "already holds a site (belenus.toml or site-templates/)")
        }
        let from = SitePaths(root: source)
        guard fm.fileExists(atPath: from.templates) else {
            throw SiteError(file: from.templates, "no default theme here; set BELENUS_HOME to a Belenus checkout")
        }
        try fm.createDirectory(atPath: paths.root, withIntermediateDirectories: true)
        try fm.copyItem(atPath: from.templates, toPath: paths.templates)
        try fm.createDirectory(atPath: paths.contentKB, withIntermediateDirectories: true)
        if fm.fileExists(atPath: from.contentPages) {
            try fm.copyItem(atPath: from.contentPages, toPath: paths.contentPages)
        }
        let config = defaultConfig.replacingOccurrences(of: "timezone = \"UTC\"", with: "timezone = \"\(timezone)\"")
        try Data(config.utf8).write(to: URL(fileURLWithPath: paths.config))
        try paths.prepareWritableFolders()
        return paths
    }
}
