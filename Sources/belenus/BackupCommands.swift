import ArgumentParser
import BelenusFiles
import BelenusBuild
import Foundation

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write the site (a snapshot of its database, attachments, published and own files) to one tar file, "
            + "while the gateway keeps working.")
    @OptionGroup var site: SiteOption
    @Argument(help: "A new file: .tar, or .tar.gz, .tar.xz… to compress.") var file: String

    func run() throws {
        let summary = try SiteBackup.create(site.paths, store: try site.openStore(), to: file) { Progress.show($0) }
        Progress.done()
        let what = "\(counted(summary.tickets, "ticket")) and \(counted(summary.attachments, "attachment"))"
        print("Backup of \(what) in \(file) (\(summary.bytes / 1024) KiB).")
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup: a whole site into a new or empty folder, or its data into an existing site (stop its gateway first).")
    @Option(name: .long, help: "A new or empty folder, or a site whose data the backup replaces.") var site: String
    @Argument(help: "A file written by belenus backup.") var file: String

    func run() throws {
        let summary = try SiteBackup.restore(file, into: site)
        let what = "\(counted(summary.tickets, "ticket")) and \(counted(summary.attachments, "attachment"))"
        print("Restored \(what) into \(site). Next: belenus build --site \(site)")
    }
}

struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Give the database's free pages back to the disk (after an upgrade that dropped data, or many deletions); "
            + "the gateway keeps reading meanwhile.")
    @OptionGroup var site: SiteOption

    func run() throws {
        let sizes = try site.openStore().compact()
        let mib = { (bytes: Int64) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        print("The database: \(mib(sizes.before)) before, \(mib(sizes.after)) now.")
    }
}
