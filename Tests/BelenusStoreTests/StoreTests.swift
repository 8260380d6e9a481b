import BelenusBytes
import BelenusTestSupport
import BelenusCore
@testable import BelenusStore
import Foundation
import GRDB
import Testing

/// A fresh database in a temporary folder.
func freshStore() throws -> Store {
    let dir = Scratch.path("belenus-store")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return try Store(path: dir + "/belenus.sqlite3")
}

/// Acme with client ana, technicians jgarcia and mlopez, product Nómina (2024.1, 2025.1).
func seededStore(productResponsible: Login? = nil) throws -> Store {
    let store = try freshStore()
    try store.addOrg("Acme")
    try store.addOrg("Globex")
    try store.addUser(User(login: Login("ana"), name: "Ana Pérez", email: "ana@acme.mx", role: .client, org: "Acme"), passwordHash: nil)
    try store.addUser(User(login: Login("jgarcia"), name: "J. García", email: "jg@soporte.mx", role: .tech), passwordHash: nil)
    try store.addUser(User(login: Login("mlopez"), name: "M. López", email: "ml@soporte.mx", role: .tech), passwordHash: nil)
    try store.addProduct("Nómina", versions: ["2024.1", "2025.1"], responsible: productResponsible)
    return store
}

let ana = Actor(login: Login("ana"), role: .client, org: "Acme")
let jgarcia = Actor(login: Login("jgarcia"), role: .tech)
let policy = SLAPolicy()
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func draft(product: String = "Nómina", version: String = "2024.1") -> TicketDraft {
    TicketDraft(title: "No calcula ISR", product: product, version: version, body: "Falla el cálculo.", org: "Acme")
}

@Test func theDatabaseIsInWALModeAndACommitIsSyncedBeforeItReturns() throws {
    let store = try freshStore()
    let mode = try store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
    // FULL (2), not WAL's usual NORMAL (1): an answered change survives a power cut too.
    #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
}

/// What may be lost with the machine is written unsynced (NORMAL), and only that write: the next
/// one, a change, is FULL again.
@Test func anUnsyncedWriteLeavesTheNextSynced() throws {
    let store = try freshStore()
    #expect(try store.write(synced: false) { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
    #expect(try store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
}

/// A change's statements are compiled before its transaction, and the transaction runs those
/// very statements (the cache's): every statement a comment with its mail runs is on the list.
@Test func aChangesStatementsAreCompiledBeforeItsTransaction() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    final class Seen: @unchecked Sendable { var sql: [String] = [] }
    let seen = Seen()
    try store.connection.inDatabase { db in
        db.trace(options: .statement) { event in
            if case .statement(let statement) = event { seen.sql.append(statement.sql) }
        }
    }
    let mail = RecordedMail()
    _ = try store.change(ticket.number, by: jgarcia, at: t0 + 60, policy: SLAPolicy(), mail: mail) { ticket, _ in
        try ticket.comment("Revisado", by: jgarcia, at: t0 + 60, clock: .wallClock)
    }
    let ran = Set(seen.sql.filter { !$0.hasPrefix("--") && !$0.hasPrefix("PRAGMA") && !["BEGIN IMMEDIATE TRANSACTION", "COMMIT TRANSACTION"].contains($0) })
    #expect(ran.count >= 6, "\(ran)")
    #expect(ran.subtracting(Store.changeStatements).isEmpty, "\(ran.subtracting(Store.changeStatements))")
    #expect(mail.queuedIDs.count == 1)
}

/// A change's mail as the store sees it: fixed words, the queued rows recorded.
/// The store's side of a change's mail, without the theme: fixed words, the ids it queued.
final class RecordedMail: ChangeMail {
    let supportTeam: [String]
    let replyTo: String
    var queuedIDs: [Int64] = []
    init(supportTeam: [String] = [], replyTo: String = "") {
        self.supportTeam = supportTeam
        self.replyTo = replyTo
    }
    func notice(for change: TicketChange, pageToken: String?, replies: Bool) -> Notice {
        Notice(subject: "s", body: replies ? "b, respóndalo" : "b")
    }
    func queued(_ id: Int64) { queuedIDs.append(id) }
}

/// The WAL is kept between processes, so it must not keep the size of the biggest write ever made
/// (an import): once checkpointed, the next write cuts it back to 64 MiB.
@Test func aBigWriteDoesNotLeaveABigWAL() throws {
    let store = try freshStore()
    let wal = store.path + "-wal"
    func walSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0 }
    try store.write { db in
        try db.execute(sql: "CREATE TABLE bulk (data BLOB)")
        for _ in 0..<80 { try db.execute(sql: "INSERT INTO bulk VALUES (zeroblob(1048576))") }
    }
    #expect(try walSize() > 64 << 20)
    try store.write { db in try db.execute(sql: "DELETE FROM bulk") }
    try store.write { db in try db.execute(sql: "INSERT INTO bulk VALUES (x'00')") }
    #expect(try walSize() <= 64 << 20)
}

/// A CGI process that only reads (GET of a page) must not write: closing leaves the WAL as it is
/// (no checkpoint, no delete), and the next open finds the schema current without a write.
@Test func openingAndReadingWritesNothing() throws {
    let path = try { () throws -> String in
        let store = try seededStore()
        return store.path
    }()
    let files = [path, path + "-wal"]
    func state() throws -> [String] {
        try files.map { file in
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            return "\(file) \(attributes[.size] ?? "-") \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
    }
    let before = try state()
    #expect(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0 > 0)
    Thread.sleep(forTimeInterval: 0.02)  // a write now would show in the modification times
    for _ in 0..<2 {
        let store = try Store(path: path)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") } == 3)
    }
    #expect(try state() == before)
    // The data is all there for a process that reads the file afresh.
    let reopened = try Store(path: path)
    #expect(try reopened.read { db in try String.fetchOne(db, sql: "SELECT name FROM users WHERE login = 'ana'") } == "Ana Pérez")
}

@Test func aDuplicateOrgIsRefused() throws {
    let store = try seededStore()
    #expect { try store.addOrg("Acme") } throws: { ($0 as? FieldError)?.field == "name" }
    #expect(try store.orgs() == ["Acme", "Globex"])
}

@Test func aClientNeedsAnOrgThatExists() throws {
    let store = try seededStore()
    let ghost = User(login: Login("x"), name: "X", email: "x@x.mx", role: .client, org: "Initech")
    // The error names the field a form would mark.
    #expect { try store.addUser(ghost, passwordHash: nil) } throws: { ($0 as? FieldError)?.field == "org" }
    let orgless = User(login: Login("y"), name: "Y", email: "y@y.mx", role: .client)
    #expect { try store.addUser(orgless, passwordHash: nil) } throws: { ($0 as? FieldError)?.field == "org" }
    #expect(try store.user(Login("x")) == nil)
}

@Test func aDuplicateProductIsRefused() throws {
    let store = try seededStore()
    #expect { try store.addProduct("Nómina", versions: [], responsible: nil) } throws: { ($0 as? FieldError)?.field == "name" }
    #expect { try store.addProduct("Bancos", versions: [], responsible: Login("ana")) } throws: { ($0 as? FieldError)?.field == "responsible" }
}

@Test func passwordsAreStoredAsArgon2idAndVerify() throws {
    let hasher = PasswordHasher(iterations: 1, memoryKiB: 1024)
    let hash = try hasher.hash("correcto caballo")
    #expect(hash.hasPrefix("$argon2id$"))
    #expect(!hash.contains("correcto"))
    #expect(PasswordHasher.verify("correcto caballo", against: hash))
    #expect(!PasswordHasher.verify("otro", against: hash))
    #expect(try hasher.hash("correcto caballo") != hash)  // salted
}

@Test func anUnknownProductOrVersionIsAFieldErrorAndWritesNothing() throws {
    let store = try seededStore()
    #expect(throws: FieldError.unknown("product", "Bancos")) {
        try store.openTicket(draft(product: "Bancos"), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    }
    #expect(throws: FieldError.self) { try store.openTicket(draft(version: "1999"), by: ana, at: t0, policy: policy, defaultCalendar: "24x7") }
    #expect(try store.ticketCount() == 0)
}

@Test func theProductsTechnicianIsResponsibleElseTheLeastBusy() throws {
    let store = try seededStore()
    let first = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    #expect(first.number == TicketNumber(1))
    #expect(first.responsible == Login("jgarcia"))  // both idle: alphabetical
    let second = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    #expect(second.responsible == Login("mlopez"))  // jgarcia has one open
    let owned = try seededStore(productResponsible: Login("mlopez"))
    #expect(try owned.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7").responsible == Login("mlopez"))
}

@Test func aChangeIsRecordedWithItsEvent() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    let change = try ticket.close(solution: "Actualice la tabla.", by: jgarcia, at: t0 + 60, clock: .wallClock)
    try store.record(change, replacingRevision: ticket.revision)
    let details = try #require(try store.ticketDetails([ticket.number]).first)
    #expect(details.ticket.status == .closed)
    #expect(details.events.map(\.event.kind) == [.created, .close])
    #expect(details.names[Login("ana")] == "Ana Pérez")
}

@Test func aChangeOnAStaleRevisionIsAConflictAndWritesNothing() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    try store.record(try ticket.comment("uno", by: ana, at: t0 + 1, clock: .wallClock), replacingRevision: ticket.revision)
    let late = try ticket.comment("dos", by: ana, at: t0 + 2, clock: .wallClock)
    #expect(throws: RuleViolation.self) { try store.record(late, replacingRevision: ticket.revision) }
    #expect(try store.ticketDetails([ticket.number]).first?.events.count == 2)
}

@Test func kbSearchFoldsAccentsAndRanksTitlesFirst() throws {
    let store = try freshStore()
    try store.replaceKBIndex([
        KBIndexEntry(slug: "a", title: "Cierre de ejercicio", product: "Contabilidad", body: "Menciona la nómina una vez."),
        KBIndexEntry(slug: "b", title: "Timbrado de Nómina", product: "Nómina", body: "Cómo timbrar la nómina <b>ya</b>."),
    ])
    let hits = try store.searchKB("nomina")
    #expect(hits.map(\.slug) == ["b", "a"])
    #expect(hits[0].snippet.contains("\u{2}nómina\u{3}"))
    #expect(try store.searchKB("\"; DROP TABLE kb_fts; --").isEmpty)
    // U+0D4E is a prepended letter: as Characters it glued itself to the quote after it, and the
    // term `"aൎ"b"*` was an FTS5 syntax error. Words are cut by scalar.
    #expect(try store.searchKB("nomina\u{0D4E}\"b").isEmpty)
    #expect(Store.searchTerms("a\u{0D4E}\"b ni\u{0303}o, 2025") == ["a\u{0D4E}", "b", "ni\u{0303}o", "2025"])
}

@Test func dashboardCountsFollowTheSLARuleOfCoreAndCountWeeks() throws {
    let store = try seededStore()
    for i in 0..<20 { _ = try store.openTicket(draft(), by: ana, at: t0 + Double(i) * 3 * 86_400, policy: policy, defaultCalendar: "24x7") }
    try store.write { db in
        try db.execute(sql: """
            UPDATE tickets SET paused_at = created_at, waiting_on = 'client' WHERE number % 5 = 0;
            UPDATE tickets SET status = 'closed' WHERE number % 7 = 0;
            UPDATE tickets SET assigned = 'mlopez' WHERE number % 3 = 0;
            UPDATE tickets SET responsible = NULL WHERE number = 11;
            INSERT INTO events (ticket, at, actor, kind) SELECT number, created_at, 'jgarcia', 'close' FROM tickets WHERE number % 7 = 0;
            """)
    }
    let now = t0 + 32.5 * 86_400
    var expected: [String: Int] = [:]
    for t in try store.ticketSummaries() {
        guard let state = t.slaState(at: now) else { continue }
        expected["\(t.product)|\((t.assigned ?? t.responsible)?.rawValue ?? "-")|\(state.rawValue)", default: 0] += 1
    }
    var counted: [String: Int] = [:]
    for c in try store.openCounts(now: now) { counted["\(c.product)|\(c.technician?.rawValue ?? "-")|\(c.sla.rawValue)"] = c.count }
    #expect(counted == expected)
    #expect(Set(expected.keys.map { $0.split(separator: "|").last! }) == ["on_time", "due_soon", "overdue", "paused"])

    let weeks = try store.weeklyCounts(from: t0, weeks: 9)
    #expect(weeks.map(\.opened) == (0..<9).map { w in (0..<20).filter { 3 * $0 / 7 == w }.count })
    #expect(weeks.map(\.closed) == (0..<9).map { w in [7, 14].filter { 3 * ($0 - 1) / 7 == w }.count })
    #expect(try store.weeklyCounts(from: t0 + 63 * 86_400, weeks: 2).allSatisfy { $0.opened == 0 && $0.closed == 0 })
}

/// The ticket search: every text of a ticket (title, body, comments, solutions) by its words,
/// ranked when few texts match, newest first when many do; the same tickets either way, each with
/// the snippet of a text that holds the words.
@Test(arguments: [Store.rankedMatches, 0])
func wordsFindTheirTicketsRankedOrNewestFirst(_ rankedMatches: Int) throws {
    let store = try seededStore()
    var tickets: [Ticket] = []
    for i in 1...4 {
        let d = TicketDraft(title: i == 2 ? "Zanahoria en el título" : "Ticket \(i)", product: "Nómina", version: "2024.1",
                            body: "Falla el cálculo.", org: "Acme")
        tickets.append(try store.openTicket(d, by: ana, at: t0, policy: policy, defaultCalendar: "24x7"))
    }
    let comment = try tickets[3].comment("Revise la ZANAHORIA del certificado.", by: jgarcia, at: t0, clock: .wallClock)
    try store.record(comment, replacingRevision: tickets[3].revision)
    let current = try #require(try store.ticket(tickets[3].number))
    try store.record(try current.comment("Otra zanahoria más.", by: jgarcia, at: t0 + 60, clock: .wallClock), replacingRevision: current.revision)
    var filter = TicketFilter()
    filter.words = ["zanahória"]
    let found = try store.tickets(matching: filter, page: 1, pageSize: 10, now: t0, rankedMatches: rankedMatches)
    #expect(found.total == 2 && Set(found.tickets.map(\.number.rawValue)) == [2, 4])
    if rankedMatches == 0 { #expect(found.tickets.map(\.number.rawValue) == [4, 2]) }
    let fourth = found.snippets[TicketNumber(4)] ?? ""
    #expect(fourth.contains("\u{2}zanahoria\u{3}") || fourth.contains("\u{2}ZANAHORIA\u{3}"), "\(fourth)")
    #expect(found.snippets[TicketNumber(2)]?.contains("\u{2}Zanahoria\u{3}") == true, "\(found.snippets)")
    filter.org = "Acme"
    #expect(try store.tickets(matching: filter, page: 1, pageSize: 10, now: t0, rankedMatches: rankedMatches).total == 2)
    filter.org = "Globex"
    #expect(try store.tickets(matching: filter, page: 1, pageSize: 10, now: t0, rankedMatches: rankedMatches).total == 0)
    // The row ids carry the ticket: 4 << 20 for its own text, then its two comments.
    let rowids = try store.read { db in try Int64.fetchAll(db, sql: "SELECT rowid FROM ticket_fts WHERE rowid >= ? ORDER BY rowid", arguments: [Int64(4) << 20]) }
    let base: Int64 = 4 << 20
    #expect(rowids == [base, base + 1, base + 2])
}

/// Newest first, a search counts its tickets only up to `countedMatches` (or the end of the
/// page asked for) and says the total is a floor; each page holds the tickets a full count
/// would put there, and the filters still apply.
@Test func aSearchOfManyTicketsCountsUpToItsCap() throws {
    let store = try seededStore()
    try store.addOrg("Café Ñandú S.A.")
    for i in 1...7 {
        let d = TicketDraft(title: "Timbrado \(i)", product: "Nómina", version: "2024.1", body: "Falla el timbrado.",
                            org: i % 2 == 0 ? "Café Ñandú S.A." : "Acme")
        _ = try store.openTicket(d, by: jgarcia, at: t0, policy: policy, defaultCalendar: "24x7")
    }
    var filter = TicketFilter()
    filter.words = ["timbrado"]
    func search(page: Int, counted: Int) throws -> TicketPage {
        try store.tickets(matching: filter, page: page, pageSize: 2, now: t0, rankedMatches: 0, countedMatches: counted)
    }
    let all = try search(page: 1, counted: 100)
    #expect(all.total == 7 && all.totalIsExact && all.tickets.map(\.number.rawValue) == [7, 6])
    let capped = try search(page: 1, counted: 3)
    #expect(capped.total == 3 && !capped.totalIsExact && capped.tickets.map(\.number.rawValue) == [7, 6])
    let third = try search(page: 3, counted: 3)
    #expect(third.total == 6 && !third.totalIsExact && third.tickets.map(\.number.rawValue) == [3, 2])
    let last = try search(page: 4, counted: 3)
    #expect(last.total == 7 && last.totalIsExact && last.tickets.map(\.number.rawValue) == [1])
    filter.org = "Acme"
    let acme = try search(page: 1, counted: 3)
    #expect(acme.total == 3 && !acme.totalIsExact && acme.tickets.map(\.number.rawValue) == [7, 5])
    #expect(try search(page: 1, counted: 4).totalIsExact)
    filter.org = "Café Ñandú S.A."
    let cafe = try search(page: 1, counted: 100)
    #expect(cafe.total == 3 && cafe.tickets.map(\.number.rawValue) == [6, 4])
    #expect(cafe.snippets[TicketNumber(6)]?.contains("\u{2}Timbrado\u{3}") == true, "\(cafe.snippets)")
}

/// Migrations (and an import) end with the WAL in the database and cut to nothing: a process
/// that opens the database after them does not read a big WAL back (see `Store.checkpoint`).
@Test func migrationsLeaveNoWALBehind() throws {
    let store = try freshStore()
    let size = (try? FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int) ?? 0
    #expect(size == 0)
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") } == Schema.migrator.migrations.count)
}

/// The dashboard's kept counts (schema v8) equal a recount from every open ticket after any
/// mix of changes and clock moves: tickets opened, paused, closed, reassigned, their deadlines
/// moved, the clock moved by minutes (folded in memory) or weeks (written), set back, the
/// policy's due-soon changed, and the company's calendar changed.
@Test func theKeptDashboardCountsEqualARecount() throws {
    let store = try seededStore()
    try store.addProduct("Contabilidad", versions: ["1"], responsible: Login("mlopez"))
    var seed: UInt64 = 7
    func next(_ n: Int) -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((seed >> 33) % UInt64(n))
    }
    var now = t0
    var policy = SLAPolicy(defaultDueHours: 48, dueSoonHours: 12)
    func check(_ step: Int) throws {
        let key = { (c: OpenCount) in "\(c.product)|\(c.technician?.rawValue ?? "-")|\(c.sla.rawValue)=\(c.count)" }
        // Every other check folds nothing in memory: the clock moves in a write.
        let kept = try store.openCounts(now: now, folding: step % 2 == 0 ? 0 : 500).map(key).sorted()
        let recounted = try store.recountedOpenCounts(now: now).map(key).sorted()
        #expect(kept == recounted, "step \(step)")
        var expected: [String] = []
        for t in try store.ticketSummaries() {
            guard let state = t.slaState(at: now) else { continue }
            expected.append("\(t.product)|\((t.assigned ?? t.responsible)?.rawValue ?? "-")|\(state.rawValue)")
        }
        let grouped = Dictionary(grouping: expected, by: { $0 }).map { "\($0.key)=\($0.value.count)" }.sorted()
        #expect(kept == grouped, "step \(step)")
    }
    try store.addCalendar(BusinessCalendar(
        name: "oficina", zone: IANAZone("America/Mexico_City")!, hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00")))
    for step in 0..<120 {
        let product = next(2) == 0 ? "Nómina" : "Contabilidad"
        switch next(10) {
        case 0, 1:
            let d = TicketDraft(title: "T\(step)", product: product, version: product == "Nómina" ? "2024.1" : "1", body: "b", org: "Acme")
            _ = try store.openTicket(d, by: ana, at: now, policy: policy, defaultCalendar: "24x7")
        case 2:
            try store.write { db in try db.execute(sql: "UPDATE tickets SET paused_at = ? WHERE number % 4 = ?", arguments: [Timestamp.iso(now), next(4)]) }
        case 3:
            try store.write { db in try db.execute(sql: "UPDATE tickets SET paused_at = NULL WHERE number % 3 = ?", arguments: [next(3)]) }
        case 4:
            try store.write { db in try db.execute(sql: "UPDATE tickets SET status = 'closed' WHERE number = (SELECT max(number) FROM tickets)") }
        case 5:
            let who = ["jgarcia", "mlopez", nil][next(3)]
            try store.write { db in try db.execute(sql: "UPDATE tickets SET assigned = ? WHERE number % 5 = ?", arguments: [who, next(5)]) }
        case 6:
            let hours = Double(next(100) - 30)
            try store.write { db in
                try db.execute(sql: "UPDATE tickets SET due_at = ? WHERE number % 3 = ?", arguments: [Timestamp.iso(now + hours * 3600), next(3)])
            }
        case 7:
            if let t = try store.ticketSummaries().first(where: { $0.status == .open }), let full = try store.ticket(t.number) {
                try store.record(try full.comment("Revisado.", by: jgarcia, at: now, clock: .wallClock), replacingRevision: full.revision)
            }
        case 8:
            // Acme's calendar changes: its open tickets' deadlines are laid out again (issue 32).
            try store.setOrgCalendar("Acme", to: ["oficina", nil][next(2)], defaultCalendar: "24x7", at: now, policy: policy)
        default:
            now += [60, 3600, 5 * 3600, 3 * 86_400, -7200][next(5)]
            if next(10) == 0 {
                policy = SLAPolicy(defaultDueHours: 48, dueSoonHours: Double([6, 12, 24][next(3)]))
                try store.layOutDueSoon(policy: policy)
            }
        }
        try check(step)
    }
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tickets") ?? 0 } > 15)
}

/// The gateway's front door reads sessions, users, tickets and pages with its own query
/// (Sources/belenus-gateway/FrontDoor.swift), only on a database with the migration it
/// was written for. A new migration fails this test until someone has read it again and moved
/// `FrontDoorSchema.migration` forward.
@Test func theFrontDoorsQueriesKnowTheLastMigration() {
    #expect(Schema.migrator.migrations.last == FrontDoorSchema.migration)
}

/// A store opens without building GRDB's migrator when the last migration's row is there
/// (`Schema.isCurrent`); it answers as the migrator would, before, halfway and after.
@Test func aSchemaIsCurrentExactlyWhenTheMigratorHasNothingLeft() throws {
    let folder = try TemporaryFolder("schema")
    let queue = try DatabaseQueue(path: folder.file("belenus.sqlite3"))
    func agree(_ when: String) throws {
        let (ours, grdbs) = try queue.read { db in (try Schema.isCurrent(db), try Schema.migrator.hasCompletedMigrations(db)) }
        #expect(ours == grdbs, "\(when): isCurrent \(ours), the migrator \(grdbs)")
    }
    try agree("empty")
    let migrations = Schema.migrator.migrations
    try Schema.migrator.migrate(queue, upTo: migrations[migrations.count - 2])
    try agree("all but the last")
    try Schema.migrator.migrate(queue)
    try agree("all")
    #expect(try queue.read(Schema.isCurrent))
}

/// v11 moves the build's own records out of the page records into their one-row table, each
/// value kept (a site's next build after the upgrade still reads only what changed), and the
/// row stays one.
@Test func theBuildStateMovesFromThePageRecordsIntoItsRow() throws {
    let folder = try TemporaryFolder("v11")
    let path = folder.file("belenus.sqlite3")
    let queue = try DatabaseQueue(path: path)
    try Schema.migrator.migrate(queue, upTo: "v10: the tickets changed since the last build")
    try queue.write { db in
        try db.execute(sql: """
            INSERT INTO pages (path, fingerprint, content_hash) VALUES ('index:built-at', '2026-12-01T10:00:00Z', ''),
                ('index:tickets', 'T', ''), ('index:content', 'C', ''), ('index:output', 'O', ''), ('index:kb', 'K', ''),
                ('public/index.html', 'F', 'H')
            """)
    }
    try queue.close()
    let store = try Store(path: path)
    #expect(try store.buildState() == BuildStateRecord(builtAt: "2026-12-01T10:00:00Z", tickets: "T", content: "C", output: "O", kbIndex: "K"))
    #expect(try store.pageCount() == 1)
    try store.updateBuildState { $0.content = "C2" }
    #expect(try store.buildState().content == "C2" && store.buildState().tickets == "T")
    #expect(throws: (any Error).self) { try store.write { db in try db.execute(sql: "INSERT INTO build_state (id) VALUES (2)") } }
}

/// A process waiting for another's write lock tries again soon at first (SQLite's own handler
/// sleeps up to 100 ms between tries), never more often the longer it waits, and gives up once
/// it has waited `busyTimeout`: the request is then answered 503. The schedule's figures are the
/// benchmark's to judge (docs/scaling.md), not this test's.
@Test func aWriterWaitsSoonAtFirstAndGivesUpAtTheBusyTimeout() throws {
    let pauses = (0..<20_000).map { DatabaseFile.pause(before: $0) }
    #expect(pauses[0].waited == 0 && pauses[0].sleep <= 1)
    // What was slept before a try is what the tries before it slept; no pause is shorter than the last.
    #expect(zip(pauses, pauses.dropFirst()).allSatisfy { $1.sleep >= $0.sleep && $1.waited == $0.waited + $0.sleep })
    let limit = Int(DatabaseFile.busyTimeout * 1000)
    let last = try #require(pauses.lastIndex { $0.waited < limit })
    #expect(last + 1 < pauses.count && pauses[last + 1].waited >= limit)
    #expect(DatabaseFile.waitAgain(0, path: nil) && DatabaseFile.waitAgain(last, path: nil))
    #expect(!DatabaseFile.waitAgain(last + 1, path: nil))
}

/// Every CGI process rebuilds the WAL's index from the frames written since the last checkpoint:
/// the store checkpoints every `Store.checkpointPages`, so that after many writes a process that
/// opens the database finds about that many to read, not SQLite's default thousand.
@Test func theWALKeepsAboutACheckpointsWorthOfFrames() throws {
    let store = try freshStore()
    defer { try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent) }
    let text = String(repeating: "x", count: 3000)  // about a page each
    for i in 0..<600 {
        try store.write(synced: false) { db in
            try db.execute(sql: "INSERT INTO pages (path, fingerprint, content_hash) VALUES (?, ?, ?)", arguments: ["p\(i)", text, "h"])
        }
    }
    // What a new connection, as a CGI process's, finds in the WAL: (busy, frames, checkpointed).
    let other = try DatabaseQueue(path: store.path)
    let frames = try other.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")![1] as Int }
    #expect(frames > 0 && frames <= Store.checkpointPages + 10, "\(frames) frames in the WAL")
}

/// A checkpoint that must not wait (a build's last step) stops at once while another connection
/// reads the WAL, leaving it as it is, and cuts it once that reader is gone. The one that waits
/// (after an import) would hold every writer back until then.
@Test func aCheckpointThatMustNotWaitStopsAtOnceBesideAReader() throws {
    let store = try freshStore()
    defer { try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent) }
    try store.write { db in try db.execute(sql: "INSERT INTO pages (path, fingerprint, content_hash) VALUES ('p', 'f', 'h')") }
    func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: store.path + "-wal"))?[.size] as? Int) ?? 0 }
    let reader = try DatabaseQueue(path: store.path)
    try reader.read { db in
        let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pages")  // its snapshot holds the WAL's frames
        let started = Date()
        let cut = try store.checkpoint(waiting: false)
        let seconds = Date().timeIntervalSince(started)
        #expect(rows == 1 && !cut && walBytes() > 0)
        #expect(seconds < 0.5)
    }
    #expect(try store.checkpoint(waiting: false))
    #expect(walBytes() == 0)
}
