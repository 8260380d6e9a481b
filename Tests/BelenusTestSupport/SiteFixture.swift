import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

/// A new site in a temporary folder, made by `SiteInit`, with Acme, ana, jgarcia and Nómina.
public struct SiteFixture {
    public let paths: SitePaths
    public let store: Store

    public init() throws {
        let dir = Scratch.path("belenus-site")
        paths = try SiteInit.create(at: dir, from: Repository.root)
        store = try Store(path: paths.database)
        try store.addOrg("Acme")
        try store.addUser(User(login: Login("ana"), name: "Ana Pérez", email: "ana@acme.mx", role: .client, org: "Acme"), passwordHash: nil)
        try store.addUser(User(login: Login("jgarcia"), name: "J. García", email: "jg@soporte.mx", role: .tech), passwordHash: nil)
        try store.addProduct("Nómina", versions: ["2024.1"], responsible: nil)
    }

    public let ana = Actor(login: Login("ana"), role: .client, org: "Acme")
    public let tech = Actor(login: Login("jgarcia"), role: .tech)

    public func build(full: Bool = false, now: Date = Date()) throws -> BuildReport {
        try SiteBuilder(paths: paths, store: store).build(full: full, now: now)
    }

    public func writeArticle(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(paths.contentKB)/\(name)"))
    }

    public func openTicket(title: String = "No calcula ISR", body: String = "Falla el cálculo.", at now: Date = Date()) throws -> Ticket {
        try store.openTicket(TicketDraft(title: title, product: "Nómina", version: "2024.1", body: body, org: "Acme"),
                             by: ana, at: now, policy: SLAPolicy(), defaultCalendar: BusinessCalendar.alwaysName)
    }

    public func output(_ path: String) throws -> String {
        try String(contentsOfFile: "\(paths.output)/\(path)", encoding: .utf8)
    }

    /// Every generated file, by path relative to `output/`.
    public func allOutput() throws -> [String: String] {
        // Text as text; a binary file (the icon) by its bytes, shown as hex.
        try FileTree.files(under: paths.output).mapValues { data in
            String(data: data, encoding: .utf8) ?? data.map { String(format: "%02x", $0) }.joined()
        }
    }
}

extension SLAClock {
    /// Every hour counts, with the default policy: the calendar (`24x7`) of the tests' sites.
    public static let wallClock = SLAClock(calendar: .always(), policy: SLAPolicy())
}
