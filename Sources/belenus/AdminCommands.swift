import ArgumentParser
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Client companies.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client company.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The company's name.") var name: String

        func run() throws {
            try site.openStore().addOrg(name)
            print("Org '\(name)' added.")
        }
    }
}

struct ProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "Product modules.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a product module.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The module's name.") var name: String
        @Option(help: "Versions, comma-separated.") var versions: String = ""
        @Option(help: "Its default technician's login.") var responsible: String?

        func run() throws {
            let list = versions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            try site.openStore().addProduct(name, versions: list, responsible: responsible.map { Login($0) })
            print("Product '\(name)' added.")
        }
    }
}

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Accounts (created by an administrator; no self-registration).",
        subcommands: [Add.self, Passwd.self, Disable.self, List.self])

    /// The password, from the first line of standard input.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no password on standard input (echo 'secret' | belenus user ...)")
        }
        guard line.unicodeScalars.count >= 8 else { throw CLIError("password: at least 8 characters") }
        return line
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account; the password is read from stdin.")
        @OptionGroup var site: SiteOption
        @Argument var login: String
        @Option var name: String
        @Option var email: String
        @Option var role: String
        @Option var org: String?

        func run() throws {
            guard let role = Role(rawValue: role) else { throw CLIError("--role: client, tech or admin, not '\(role)'") }
            let store = try site.openStore()
            let hash = try PasswordHasher.standard.hash(try UserCommand.readPassword())
            try store.addUser(
                User(login: Login(login), name: name, email: email, role: role, org: org, disabled: false, hasPassword: true),
                passwordHash: hash)
            print("User '\(login)' added as \(role.rawValue).")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a password, read from stdin.")
        @OptionGroup var site: SiteOption
        @Argument var login: String

        func run() throws {
            let store = try site.openStore()
            try store.setPasswordHash(try PasswordHasher.standard.hash(try UserCommand.readPassword()), for: Login(login))
            print("Password of '\(login)' set.")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and end its sessions.")
        @OptionGroup var site: SiteOption
        @Argument var login: String

        func run() throws {
            try site.openStore().disableUser(Login(login))
            print("User '\(login)' disabled.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var site: SiteOption

        func run() throws {
            for u in try site.openStore().users() {
                let flags = [u.disabled ? "disabled" : nil, u.hasPassword ? nil : "no password"].compactMap { $0 }
                print([u.login.rawValue, u.role.rawValue, u.org ?? "-", u.name, u.email, flags.joined(separator: ",")]
                    .joined(separator: "\t"))
            }
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import tickets in the corpus format of shared/bench/gen_corpus.py.")
    @OptionGroup var site: SiteOption
    @Argument(help: "A JSONL file.") var file: String
    @Option(help: "Tickets committed a transaction: the WAL holds one batch.") var batch = CorpusImporter.ticketsPerTransaction

    func run() throws {
        let store = try site.openStore()
        let importer = CorpusImporter(store: store, ticketsPerTransaction: batch) { Progress.show($0) }
        // Another import's undo rows are not a cut-short import's: undoing them would delete the
        // tickets it is writing.
        guard let count = try FileLock.ifFree(site.paths.importLock, .exclusive, {
            if try importer.undoInterrupted() { print("An import cut short earlier was undone.") }
            return try importer.importFile(file)
        }) else {
            throw CLIError("another belenus import is running on \(site.site); wait for it to end")
        }
        Progress.done()
        print("Imported \(count) tickets. Next: belenus build --site \(site.site)")
    }
}

struct TicketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ticket", abstract: "Tickets.", subcommands: [Relink.self])

    struct Relink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "With ticket_pages = \"link\": a new secret URL for ticket N; the old one stops working.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The ticket's number.") var number: Int

        func run() throws {
            let builder = try SiteBuilder(paths: site.paths, store: try site.openStore())
            guard builder.config.ticketPages == .link else {
                throw CLIError("ticket_pages is \"\(builder.config.ticketPages.rawValue)\" in belenus.toml: relink is for \"link\"")
            }
            let token = try builder.relink(TicketNumber(number))
            print("Ticket \(number) is now at \(builder.config.baseURL)/t/\(token)/")
        }
    }
}
