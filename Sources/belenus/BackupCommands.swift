import ArgumentParser
import BelenusSite
import Foundation

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the site (a snapshot of its database, attachments, published and own files) to one tar file, while the gateway keeps working.")
    @OptionGroup var site: SiteOption
    @Argument(help: "A new file: .tar, or .tar.gz, .tar.xz… to compress.") var file: String

    func run() throws {
        let summary = try SiteBackup.create(site.paths, store: try site.openStore(), to: file) { Progress.show($0) }
        Progress.done()
        print("Backup of \(summary.tickets) tickets and \(summary.attachments) attachments in \(file) (\(summary.bytes / 1024) KiB).")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make a site from a backup, in a new or empty folder.")
    @Option(name: .long, help: "The new site's folder (new or empty).") var site: String
    @Argument(help: "A file written by belenus backup.") var file: String

    func run() throws {
        let summary = try SiteBackup.restore(file, into: site)
        print("Restored \(summary.tickets) tickets and \(summary.attachments) attachments into \(site). Next: belenus build --site \(site)")
    }
}
