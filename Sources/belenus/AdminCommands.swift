import ArgumentParser
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusMail
import BelenusStore
import BelenusViews
import Foundation

/// The CLI's administrator in the audit log: `cli:UNIXUSER` (SPEC §2).
var shellAdministrator: Administrator {
    Administrator.shell(
        user: ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName())
}

/// Sends an invitation or a reset link now (never queued: the token is only in the mail).
func mailAccountLink(_ site: SiteOption, to user: User, token: String, invitation: Bool) throws {
    let config = try SiteConfig.load(path: site.paths.config)
    let views = try GatewayViews(paths: site.paths, config: config)
    let mail = AccountMail(
        views.accountMail(for: user, link: AccountMail.link(token: token, config: config), invitation: invitation), to: user.email)
    ignoreBrokenPipes()
    do {
        try mail.send(
            through: .configured(config.mailTransport.rawValue, sendmailCommand: config.sendmailCommand, mailFolder: site.paths.mail),
            from: config.mailFrom)
    } catch {
        throw CLIError("the link to \(user.email) was not sent (\(error)); run `belenus user reset \(user.login)` once mail works")
    }
}

/// Tickets whose pages show a name that changed: rendered again at their next view or build.
func markStale(_ store: Store, _ numbers: [TicketNumber]) throws {
    try store.markPagesStale(numbers.map(SiteBuilder.ticketPagePath))
}

/// `--versions a,b`: the names, trimmed, empty ones left out.
func versionList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// A link's token (as the gateway makes them, `Secrets`), and its hash for the database.
func newLinkToken() -> (token: String, hash: String) {
    let token = Secrets.newToken()
    return (token, Secrets.sha256(token))
}

struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Client companies.", subcommands: [Add.self, Edit.self, Disable.self, Enable.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a client company.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The company's name.") var name: String

        func run() throws {
            try site.openStore().addOrg(name, by: shellAdministrator)
            print("Org '\(name)' added.")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a client company (its people and tickets follow), or give it a calendar.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The company's name.") var org: String
        @Option(help: "Its new name.") var name: String?
        @Option(help: "The calendar its deadlines count in; \"\" for the site's ([tickets] calendar).") var calendar: String?

        func run() throws {
            guard name != nil || calendar != nil else { throw CLIError("nothing to change: --name NEW or --calendar CAL") }
            let store = try site.openStore()
            if let calendar {
                let config = try SiteConfig.load(path: site.paths.config)
                let moved = try store.setOrgCalendar(
                    org, to: calendar.isEmpty ? nil : calendar, defaultCalendar: config.calendar, at: Date(), policy: config.slaPolicy,
                    by: shellAdministrator)
                try markStale(store, moved)
                let counting = calendar.isEmpty ? config.calendar : calendar
                print("Org '\(org)' counts deadlines in '\(counting)'; \(counted(moved.count, "open ticket")) laid out again.")
            }
            if let name {
                let touched = try store.renameOrg(org, to: name, at: Date(), by: shellAdministrator)
                try markStale(store, touched)
                print("Org '\(org)' is now '\(name)'. Its tickets' pages are rendered again at the next build.")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a company: its people cannot log in; its tickets stay.")
        @OptionGroup var site: SiteOption
        @Argument var name: String

        func run() throws {
            try site.openStore().setOrgActive(name, false, at: Date(), by: shellAdministrator)
            print("Org '\(name)' disabled; its people's sessions ended.")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled company.")
        @OptionGroup var site: SiteOption
        @Argument var name: String

        func run() throws {
            try site.openStore().setOrgActive(name, true, at: Date(), by: shellAdministrator)
            print("Org '\(name)' enabled.")
        }
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Business-hours calendars: the time deadlines count in (SPEC §3).",
        subcommands: [Add.self, Edit.self, Holiday.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a calendar.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The calendar's name.") var name: String
        @Option(help: "Its IANA time zone, such as America/Mexico_City.") var zone: String
        @Option(help: "Weekly hours, such as \"mon-fri 09:00-14:00 15:00-18:00; sat 09:00-13:00\".") var hours: String
        @Option(help: "Holidays: mx-lft, YYYY-MM-DD (once), MM-DD (every year), comma-separated.") var holidays = ""

        func run() throws {
            let calendar = BusinessCalendar(
                name: name, zone: try Store.zone(zone), hours: try WeeklyHours(parsing: hours), holidays: try Holidays(parsing: holidays))
            try site.openStore().addCalendar(calendar, at: Date(), by: shellAdministrator)
            let holidays = calendar.holidays.isEmpty ? "" : ", holidays \(calendar.holidays)"
            print("Calendar '\(name)' added: \(calendar.hours) (\(zone))\(holidays).")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a calendar's zone, hours or holidays; the open tickets that count in it are laid out again.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The calendar's name.") var name: String
        @Option(help: "Its IANA time zone.") var zone: String?
        @Option(help: "Its weekly hours (the whole week).") var hours: String?
        @Option(help: "Its holidays (the whole list).") var holidays: String?

        func run() throws {
            guard zone != nil || hours != nil || holidays != nil else { throw CLIError("nothing to change: --zone, --hours or --holidays") }
            try CalendarCommand.edit(
                site, name, zone: try zone.map(Store.zone), hours: try hours.map(WeeklyHours.init(parsing:)),
                holidays: try holidays.map(Holidays.init(parsing:)))
        }
    }

    struct Holiday: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a holiday to a calendar: YYYY-MM-DD once, MM-DD every year.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The calendar's name.") var name: String
        @Argument(help: "The day: YYYY-MM-DD or MM-DD.") var date: String

        func run() throws {
            guard let calendar = try site.openStore().calendar(named: name) else { throw CLIError("no calendar named '\(name)'") }
            let holidays = try Holidays(parsing: calendar.holidays.description + ", " + date)
            try CalendarCommand.edit(site, name, holidays: holidays)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The calendars: name, zone, hours, holidays (tab-separated).")
        @OptionGroup var site: SiteOption

        func run() throws {
            for stored in try site.openStore().calendars() {
                let c = stored.calendar
                print([c.name, c.zone.name, c.hours.description, c.holidays.description].joined(separator: "\t"))
            }
        }
    }

    static func edit(
        _ site: SiteOption, _ name: String, zone: IANAZone? = nil, hours: WeeklyHours? = nil, holidays: Holidays? = nil
    ) throws {
        let store = try site.openStore()
        let config = try SiteConfig.load(path: site.paths.config)
        let moved = try store.editCalendar(
            name, zone: zone, hours: hours, holidays: holidays, at: Date(), policy: config.slaPolicy, by: shellAdministrator)
        try markStale(store, moved)
        print("Calendar '\(name)' changed; \(counted(moved.count, "open ticket")) laid out again (their pages at the next build).")
    }
}

struct ProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "Product modules.", subcommands: [Add.self, Edit.self, Retire.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a product module.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The module's name.") var name: String
        @Option(help: "Versions, comma-separated.") var versions: String = ""
        @Option(help: "Its default technician's login.") var responsible: String?

        func run() throws {
            let list = versionList(versions)
            try site.openStore().addProduct(name, versions: list, responsible: responsible.map { Login($0) }, by: shellAdministrator)
            print("Product '\(name)' added.")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a product: name, the versions offered for new tickets, its technician.")
        @OptionGroup var site: SiteOption
        @Argument(help: "The module's name.") var product: String
        @Option(help: "Its new name.") var name: String?
        @Option(help: "The whole list of versions offered for new tickets, comma-separated; the others are retired.") var versions: String?
        @Option(help: "Its default technician's login; \"\" for none.") var responsible: String?

        func run() throws {
            let list = versions.map(versionList)
            let technician: Login?? = responsible.map { $0.isEmpty ? Login?.none : Login($0) }
            let store = try site.openStore()
            let touched = try store.editProduct(
                product, .init(name: name, versions: list, responsible: technician), at: Date(), by: shellAdministrator)
            try markStale(store, touched)
            print("Product '\(name ?? product)' changed.")
        }
    }

    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop offering a product for new tickets (old tickets keep it).")
        @OptionGroup var site: SiteOption
        @Argument var product: String

        func run() throws {
            try site.openStore().editProduct(product, .init(retired: true), at: Date(), by: shellAdministrator)
            print("Product '\(product)' retired.")
        }
    }
}

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Accounts (created by an administrator; no self-registration).",
        subcommands: [Add.self, Invite.self, Edit.self, Passwd.self, Reset.self, Disable.self, Enable.self, List.self])

    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else { throw CLIError("--role: client, tech or admin, not '\(text)'") }
        return role
    }

    /// The password, from the first line of standard input; typed at a terminal, asked for
    /// without echo.
    static func readPassword() throws -> String {
        var saved = termios()
        let terminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
        if terminal {
            FileHandle.standardError.write(Data("Password: ".utf8))
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        let typed = readLine(strippingNewline: true)
        if terminal {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = typed, !line.isEmpty else {
            throw CLIError("no password on standard input (echo 'secret' | belenus user ...)")
        }
        try NewPassword.check(line)
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
                passwordHash: hash, by: shellAdministrator)
            print("User '\(login)' added as \(role.rawValue).")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a password, read from stdin.")
        @OptionGroup var site: SiteOption
        @Argument var login: String

        func run() throws {
            let store = try site.openStore()
            try store.setPasswordHash(
                try PasswordHasher.standard.hash(try UserCommand.readPassword()), for: Login(login), by: shellAdministrator)
            print("Password of '\(login)' set.")
        }
    }

    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account without a password and mail it the link to set one (valid 7 days).")
        @OptionGroup var site: SiteOption
        @Argument var login: String
        @Option var name: String
        @Option var email: String
        @Option var role: String
        @Option var org: String?

        func run() throws {
            let user = User(login: Login(login), name: name, email: email, role: try UserCommand.role(role), org: org)
            let link = newLinkToken()
            try site.openStore().inviteUser(user, tokenHash: link.hash, at: Date(), by: shellAdministrator)
            try mailAccountLink(site, to: user, token: link.token, invitation: true)
            print("User '\(login)' invited: the link went to \(email).")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's name, e-mail, role or company.")
        @OptionGroup var site: SiteOption
        @Argument var login: String
        @Option var name: String?
        @Option var email: String?
        @Option var role: String?
        @Option(help: "A client's company.") var org: String?

        func run() throws {
            let edit = Store.AccountEdit(name: name, email: email, role: try role.map(UserCommand.role), org: org.map { .some($0) })
            let user = try site.openStore().editUser(Login(login), edit, at: Date(), by: shellAdministrator)
            print("User '\(login)': \(user.name) <\(user.email)>, \(user.role.rawValue)\(user.org.map { ", \($0)" } ?? "").")
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mail an account a link to set a new password (valid 60 minutes).")
        @OptionGroup var site: SiteOption
        @Argument var login: String

        func run() throws {
            let link = newLinkToken()
            let user = try site.openStore().adminResetLink(for: Login(login), tokenHash: link.hash, at: Date(), by: shellAdministrator)
            try mailAccountLink(site, to: user, token: link.token, invitation: !user.hasPassword)
            print("A link for '\(login)' went to \(user.email).")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account and end its sessions; a technician's tickets go to --to (else the rule for new tickets).")
        @OptionGroup var site: SiteOption
        @Argument var login: String
        @Option(help: "Who takes a technician's tickets that are not yet approved.") var to: String?

        func run() throws {
            let store = try site.openStore()
            let touched = try store.setUserActive(Login(login), false, handOverTo: to.map { Login($0) }, at: Date(), by: shellAdministrator)
            try markStale(store, touched)
            print("User '\(login)' disabled." + (touched.isEmpty ? "" : " \(counted(touched.count, "ticket")) handed over."))
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account.")
        @OptionGroup var site: SiteOption
        @Argument var login: String

        func run() throws {
            try site.openStore().setUserActive(Login(login), true, at: Date(), by: shellAdministrator)
            print("User '\(login)' enabled.")
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

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The administrators' changes, newest first.")
    @OptionGroup var site: SiteOption
    @Option(help: "How many lines.") var limit = 50

    func run() throws {
        for entry in try site.openStore().auditLog(limit: max(1, limit)) {
            let changes = entry.changes.map { "\($0.field): \($0.old) → \($0.new)" }.joined(separator: "; ")
            print([Timestamp.iso(entry.at), entry.actor, entry.address.isEmpty ? "-" : entry.address, entry.action, entry.subject, changes]
                .joined(separator: "\t"))
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
        let config = try SiteConfig.load(path: site.paths.config)
        let importer = CorpusImporter(
            store: store, policy: config.slaPolicy, defaultCalendar: config.calendar, ticketsPerTransaction: batch
        ) { Progress.show($0) }
        // Another import's undo rows are not a cut-short import's: undoing them would delete the
        // tickets it is writing.
        guard let count = try FileLock.ifFree(site.paths.importLock, .exclusive, {
            if try importer.undoInterrupted() { print("An import cut short earlier was undone.") }
            return try importer.importFile(file)
        }) else {
            throw CLIError("another belenus import is running on \(site.site); wait for it to end")
        }
        Progress.done()
        print("Imported \(counted(count, "ticket")). Next: belenus build --site \(site.site)")
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
