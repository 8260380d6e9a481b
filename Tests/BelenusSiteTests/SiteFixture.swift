import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

/// The repository root: the default theme and sample content.
let repoRoot = Repository.root

/// A new site in a temporary folder, made by `SiteInit`, with Acme, ana, jgarcia and Nómina.
struct SiteFixture {
    let paths: SitePaths
    let store: Store

    init() throws {
        let dir = Scratch.path("belenus-site")
        paths = try SiteInit.create(at: dir, from: repoRoot)
        store = try Store(path: paths.database)
        try store.addOrg("Acme")
        try store.addUser(User(login: Login("ana"), name: "Ana Pérez", email: "ana@acme.mx", role: .client, org: "Acme"), passwordHash: nil)
        try store.addUser(User(login: Login("jgarcia"), name: "J. García", email: "jg@soporte.mx", role: .tech), passwordHash: nil)
        try store.addProduct("Nómina", versions: ["2024.1"], responsible: nil)
    }

    let ana = Actor(login: Login("ana"), role: .client, org: "Acme")
    let tech = Actor(login: Login("jgarcia"), role: .tech)

    func build(full: Bool = false, now: Date = Date()) throws -> BuildReport {
        try SiteBuilder(paths: paths, store: store).build(full: full, now: now)
    }

    func writeArticle(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(paths.contentKB)/\(name)"))
    }

    func openTicket(title: String = "No calcula ISR", body: String = "Falla el cálculo.", at now: Date = Date()) throws -> Ticket {
        try store.openTicket(TicketDraft(title: title, product: "Nómina", version: "2024.1", body: body, org: "Acme"),
                             by: ana, at: now, policy: SLAPolicy())
    }

    func output(_ path: String) throws -> String {
        try String(contentsOfFile: "\(paths.output)/\(path)", encoding: .utf8)
    }

    /// Every generated file, by path relative to `output/`.
    func allOutput() throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: paths.output)
        while let file = enumerator?.nextObject() as? String {
            if file == ".belenus-build" { continue }  // which build wrote the folder: a random token
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(paths.output)/\(file)", isDirectory: &isDir)
            guard !isDir.boolValue, let data = FileManager.default.contents(atPath: "\(paths.output)/\(file)") else { continue }
            // Text as text; a binary file (the icon) by its bytes, shown as hex.
            files[file] = String(data: data, encoding: .utf8) ?? data.map { String(format: "%02x", $0) }.joined()
        }
        return files
    }
}
