import ArgumentParser
import BelenusCore
import BelenusDefaultSite
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

@main
struct Belenus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "belenus",
        abstract: "Belenus: a support desk as a static site plus a CGI gateway.",
        version: BelenusVersion.current,
        subcommands: [
            InitCommand.self, BuildCommand.self, OrgCommand.self, CalendarCommand.self, ProductCommand.self, UserCommand.self,
            ImportCommand.self, BackupCommand.self, RestoreCommand.self, CompactCommand.self, MailCommand.self, TicketCommand.self,
            ServeCommand.self, DemoCommand.self, DoctorCommand.self, AuditCommand.self, ThemeCommand.self,
        ])
}

extension Belenus {
    /// The theme and sample content a new site gets: those built into this binary, or a
    /// checkout's when `BELENUS_HOME` names one (for people working on the theme).
    static var themeSource: SiteInit.Source {
        if let home = ProcessInfo.processInfo.environment["BELENUS_HOME"], !home.isEmpty { return .folder(home) }
        return .files(DefaultSite.files)
    }
}

/// `--site DIR`, shared by every command.
struct SiteOption: ParsableArguments {
    @Option(name: .long, help: "The site's folder.")
    var site: String = "."

    var paths: SitePaths { SitePaths(root: site) }

    func openStore() throws -> Store {
        let paths = self.paths
        guard FileManager.default.fileExists(atPath: paths.root) else { throw CLIError("\(site): no such folder") }
        try paths.prepareWritableFolders()
        do {
            return try Store(path: paths.database)
        } catch let busy as StoreBusy where paths.importRunning {
            // A site's first import has the database alone (`Store.takeAlone`) until it ends.
            throw CLIError(
                "\(site): a belenus import is running and has the database alone until it ends; run this again then (\(busy.reason))")
        }
    }
}

/// A one-line error for the person at the terminal.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// "1 ticket", "3 tickets": a count and its noun in the commands' messages.
func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// Progress on a terminal only: one line, rewritten in place.
enum Progress {
    static let isTerminal = isatty(2) == 1

    static func show(_ text: String) {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    static func done() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make a new site: config, theme, sample pages, empty database.")
    @Argument(help: "The new site's folder.") var dir: String
    @Option(help: "The IANA time zone in which people read and type dates, such as America/Mexico_City.") var timezone = "UTC"

    func run() throws {
        let paths = try SiteInit.create(at: dir, from: Belenus.themeSource, timezone: timezone)
        _ = try Store(path: paths.database)
        print("New site in \(paths.root). Next: belenus build --site \(dir)")
    }
}

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Render every page whose inputs changed.")
    @OptionGroup var site: SiteOption
    @Flag(help: "Render every page.") var full = false

    func run() throws {
        let started = Date()
        let builder = try SiteBuilder(paths: site.paths, store: try site.openStore())
        let report = try builder.build(full: full) { done, total in Progress.show("rendering \(done)/\(total) pages") }
        Progress.done()
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        if report.rendered == 0 && report.removed == 0 {
            print("Nothing changed: \(report.pages) pages up to date (\(seconds) s). Output: \(builder.paths.output)")
        } else {
            let counts = "\(report.rendered) rendered, \(report.written) written, \(report.removed) removed"
            print("\(report.pages) pages: \(counts) in \(seconds) s. Output: \(builder.paths.output)")
        }
    }
}

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a site: config, time zone, database, folders and permissions, gateway, mail; what to fix, one line each.")
    @OptionGroup var site: SiteOption
    @Option(help: "The user the web server runs the gateway as.") var webUser = "www-data"
    @Flag(help: "Do not ask the web server for the gateway's login page.") var noGateway = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: site.paths.root) else { throw CLIError("\(site.site): no such folder") }
        let findings = SiteDoctor(paths: site.paths, webUser: webUser, checkGateway: !noGateway, releaseTheme: DefaultSite.files).examine()
        for finding in findings { print(finding.line) }
        let problems = findings.filter { !$0.ok }.count
        if problems > 0 { throw CLIError("\(problems) thing(s) to fix") }
    }
}

struct ThemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theme", abstract: "The site's copy of the default theme after an upgrade: what differs, and taking the new one.",
        subcommands: [Status.self, Update.self])

    static func defaults(_ site: SiteOption) throws -> ThemeDefaults {
        let paths = site.paths
        guard FileManager.default.fileExists(atPath: paths.config) else { throw CLIError("\(site.site): no belenus.toml here") }
        return ThemeDefaults(templates: paths.templates, defaults: SiteInit.theme(Belenus.themeSource))
    }

    static func report(_ changes: [ThemeDefaults.Change], verb: String) {
        for change in changes where change.outcome != .current {
            let outcome = change.outcome.rawValue.replacingOccurrences(of: "NAME.new", with: "site-templates/\(change.path).new")
            let keys = change.keys.isEmpty ? "" : ": " + change.keys.joined(separator: ", ")
            print("\(change.path): \(outcome)\(keys)")
        }
        let current = changes.filter { $0.outcome == .current }.count
        print("\(changes.count - current) \(verb), \(current) already as this release has them (\(BelenusVersion.current)).")
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What `belenus theme update` would do to each file, changing nothing.")
        @OptionGroup var site: SiteOption
        func run() throws { ThemeCommand.report(try ThemeCommand.defaults(site).status(), verb: "to take") }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take this release's default theme: unedited files replaced, edited ones kept (with NAME.new beside "
                + "those the release changed too), new UI strings appended. Then belenus build.")
        @OptionGroup var site: SiteOption
        func run() throws { ThemeCommand.report(try ThemeCommand.defaults(site).update(), verb: "taken") }
    }
}
