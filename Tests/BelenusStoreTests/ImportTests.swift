import BelenusTestSupport
import BelenusCore
@testable import BelenusStore
import Foundation
import GRDB
import Testing

private func corpusLine(number: Int, title: String = "Falla", comments: String = "[]") -> String {
    """
    {"number": \(number), "title": "\(title)", "product": "Facturación", "version": "2019.1.8", "client": "Grupo Altamira S.L.", \
    "requester": {"name": "Nuria Álvarez", "email": "Nuria.Alvarez@grupoaltamira.es"}, "created_at": "2020-03-11T02:51:25Z", \
    "due_at": "2020-03-20T09:51:25Z", "status": "open", "waiting_on": "client", "responsible": "jgarcia", "assigned": null, \
    "provider_ref": "PRV-2020-85354", "body_md": "Texto", "comments": \(comments)}
    """
}

private func write(_ lines: [String]) throws -> String {
    let path = Scratch.path("corpus", suffix: ".jsonl")
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Test func importCreatesTheOrgsProductsAndPeopleItNames() throws {
    let store = try freshStore()
    let comments = #"[{"author": "Nuria Álvarez", "at": "2020-03-12T00:00:00Z", "body_md": "¿Y?"}, {"author": "mlopez", "at": "2020-03-13T00:00:00Z", "body_md": "Ya."}]"#
    let path = try write([corpusLine(number: 1, comments: comments), corpusLine(number: 2)])
    #expect(try CorpusImporter(store: store).importFile(path) == 2)
    #expect(try store.orgs() == ["Grupo Altamira S.L."])
    #expect(try store.technicians() == [Login("jgarcia"), Login("mlopez")])
    let details = try #require(try store.ticketDetails([TicketNumber(1)]).first)
    #expect(details.ticket.requester == Login("nuria.alvarez@grupoaltamira.es"))
    #expect(details.events.map(\.event.actor.rawValue) == ["nuria.alvarez@grupoaltamira.es", "nuria.alvarez@grupoaltamira.es", "mlopez"])
    #expect(details.ticket.slaState(at: Date()) == .paused)
    #expect(try store.users().allSatisfy { !$0.hasPassword })
}

@Test func aBrokenLineNamesItsNumberAndImportsNothing() throws {
    let store = try freshStore()
    let path = try write([corpusLine(number: 1), corpusLine(number: 2), "{\"number\": 3, \"title\": "])
    #expect {
        try CorpusImporter(store: store).importFile(path)
    } throws: { error in
        "\(error)".contains(":3: ") && "\(error)".contains("not valid JSON")
    }
    #expect(try store.ticketCount() == 0)
    #expect(try store.orgs().isEmpty)
}

/// In batches of one ticket a transaction, a broken third line undoes the two batches already
/// committed: no ticket, text, company, product, person or undo row is left.
@Test func aBrokenLineUndoesTheBatchesCommittedBeforeIt() throws {
    let store = try freshStore()
    let before = try store.users().count
    let comments = #"[{"author": "mlopez", "at": "2020-03-13T00:00:00Z", "body_md": "Zanahoria."}]"#
    let path = try write([corpusLine(number: 1, comments: comments), corpusLine(number: 2), corpusLine(number: 3, title: "\\x")])
    #expect {
        try CorpusImporter(store: store, ticketsPerTransaction: 1).importFile(path)
    } throws: { error in
        "\(error)".contains(":3: ")
    }
    #expect(try store.ticketCount() == 0)
    #expect(try store.orgs().isEmpty && store.products().isEmpty && store.users().count == before)
    for table in ["events", "ticket_fts", "product_versions", "import_undo"] {
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") } == 0, "\(table)")
    }
    // The same file mended imports whole.
    let mended = try write([corpusLine(number: 1, comments: comments), corpusLine(number: 2), corpusLine(number: 3)])
    #expect(try CorpusImporter(store: store, ticketsPerTransaction: 2).importFile(mended) == 3)
    #expect(try store.ticketCount() == 3)
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM import_undo") } == 0)
    // The bulk load's settings are back to the defaults, and the search index is whole.
    let settings = try store.read { db in
        try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT k, v FROM ticket_fts_config").map { ($0[0] as String, $0[1] as DatabaseValue) })
    }
    #expect(settings["automerge"] == 4.databaseValue && settings["usermerge"] == 4.databaseValue)
    #expect(settings["hashsize"] == (1 << 20).databaseValue && settings["crisismerge"] == 16.databaseValue)
    #expect(try store.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -2000)
    try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)") }
    // A ticket's texts are its row ids' neighbours, as the gateway numbers them: the title and
    // body `number << 20`, the first comment one above.
    let rows = try store.read { db in try Int64.fetchAll(db, sql: "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid", arguments: ["zanahoria OR texto"]) }
    #expect(rows == [1 << 20, 1 << 20 | 1, 2 << 20, 3 << 20])
}

private func indexes(_ store: Store) throws -> [String] {
    try store.read { db in
        try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('tickets', 'events') AND sql IS NOT NULL ORDER BY name")
    }
}

/// The search index's row ids that `query` matches, in order.
private func found(_ store: Store, _ query: String) throws -> [Int64] {
    try store.read { db in try Int64.fetchAll(db, sql: "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rowid", arguments: [query]) }
}

/// What another connection reads while an import runs: the indexes there are, or -1 when the
/// database is the import's alone. No busy handler: it does not wait.
private func othersSee(_ store: Store) -> Int {
    (try? DatabaseQueue(path: store.path).read { db in
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('tickets', 'events') AND sql IS NOT NULL")
    }) ?? -1
}

/// A site's first import has the database alone (`Store.takeAlone`), loads its tickets without
/// the secondary indexes and makes them at the end, the same as they were, and its search index
/// beside it (`SideIndex`): whole, and written to by the gateway as before. An import into a
/// site with tickets keeps the indexes all along, and others read meanwhile. Seen from another
/// connection while the import runs (its progress every 1,000 tickets).
@Test func aFirstImportMakesItsIndexesAtTheEndAndALaterOneKeepsThem() throws {
    let store = try freshStore()
    let schema = try indexes(store)
    #expect(schema.count >= 10)
    #expect(try found(store, "falla").isEmpty)  // FTS5 now holds the empty index's structure in memory
    var seen: [Int] = []
    var made = 0
    func importing(_ numbers: Range<Int>) throws -> Int {
        let path = try write(numbers.map { corpusLine(number: $0, title: "Falla \($0)") })
        return try CorpusImporter(store: store) { message in
            if message.hasPrefix("imported") { seen.append(othersSee(store)) }
            if message.hasPrefix("indexing") { made += 1 }
        }.importFile(path)
    }
    #expect(try importing(1..<1201) == 1200)
    #expect(seen == [-1] && made == schema.count)
    #expect(try indexes(store) == schema)
    #expect(othersSee(store) == schema.count)
    #expect(try DatabaseQueue(path: store.path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    #expect(!FileManager.default.fileExists(atPath: store.path + ".import-index"))
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM import_undo") } == 0)
    // The gateway's next comment, through this connection, goes to the index copied under it.
    try store.write { db in
        try TicketRecords.insert(db, TicketEvent(kind: .comment, actor: Login("jgarcia"), at: Date(), body: "Zanahoria"), ticket: TicketNumber(5))
        try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)")
    }
    #expect(try found(store, "1200 OR zanahoria") == [5 << 20 | 1, 1200 << 20])
    seen = []
    made = 0
    #expect(try importing(1201..<2201) == 1000)
    #expect(seen == [schema.count] && made == 0)
    #expect(try indexes(store) == schema)
    try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)") }
    #expect(try found(store, "1200 OR 2200") == [1200 << 20, 2200 << 20])
}

/// `SideIndex` on its own, beside a database shared as usual: the words it made, copied under
/// a connection that had read the index before, are what that connection then searches and
/// adds to (FTS5 forgets the structure it held in memory; kept, the write after the copy left
/// the index malformed).
@Test func aSideIndexCopiedInIsSearchedAndAddedToByTheSameConnection() throws {
    let store = try freshStore()
    #expect(try found(store, "zanahoria").isEmpty)
    let definition = try store.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'ticket_fts'") ?? "" }
    let side = try SideIndex(path: store.path + ".side", like: definition)
    defer { side.stop() }
    let texts = (1...50).map { TicketRecords.SearchText(TicketNumber($0), 0, title: "Zanahoria \($0)", body: "Texto", org: "Grupo") }
    try side.add(Array(texts[..<25]))
    try side.add(Array(texts[25...]))
    try side.finish()
    try side.copy(into: store)
    try store.write { db in
        try TicketRecords.index(db, [TicketRecords.SearchText(TicketNumber(51), 0, title: "Zanahoria", body: "", org: "Grupo")])
        try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts) VALUES ('integrity-check')  -- the index alone: these texts have no rows")
    }
    #expect(try found(store, "zanahoria") == (1...51).map { Int64($0) << 20 })
    #expect(try found(store, "texto AND zanahoria AND 50") == [50 << 20])
}

/// A first import while another process has the database open (a long-lived reader here)
/// cannot have it alone: it imports as a later one does, and the reader reads meanwhile.
@Test func aFirstImportBesideAnotherConnectionSharesTheDatabase() throws {
    let store = try freshStore()
    let reader = try DatabaseQueue(path: store.path)
    _ = try reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tickets") }
    var seen: [Int] = []
    let path = try write((1..<1101).map { corpusLine(number: $0) })
    #expect(try CorpusImporter(store: store, ticketsPerTransaction: 500) { message in
        if message.hasPrefix("imported") { seen.append((try? reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tickets") }) ?? -1) }
    }.importFile(path) == 1100)
    #expect(seen == [500])
    try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)") }
}

/// An import cut short after it dropped the indexes: the next `belenus import` makes them again
/// when it undoes it, and so does a first import that fails.
@Test func theIndexesOfAFirstImportComeBackWhenItIsUndone() throws {
    let store = try freshStore()
    let schema = try indexes(store)
    try CorpusImporter(store: store).dropIndexesIfFirst()
    #expect(try indexes(store).isEmpty)
    #expect(try CorpusImporter(store: store).undoInterrupted())
    #expect(try indexes(store) == schema)
    let broken = try write([corpusLine(number: 1), corpusLine(number: 2), "{"])
    #expect(throws: (any Error).self) { try CorpusImporter(store: store, ticketsPerTransaction: 1).importFile(broken) }
    #expect(try indexes(store) == schema)
    #expect(try store.ticketCount() == 0)
}

/// A file far longer than what is decoded ahead, refused at its second line: the reading thread
/// is stopped (the import returns) and nothing stays.
@Test func aLongFileRefusedEarlyStopsItsReading() throws {
    let store = try freshStore()
    let path = try write([corpusLine(number: 5), corpusLine(number: 5)] + (6..<3000).map { corpusLine(number: $0) })
    #expect { try CorpusImporter(store: store).importFile(path) } throws: { "\($0)".contains(":2: number: ticket 5 already exists") }
    #expect(try store.ticketCount() == 0)
}

@Test func aMissingFieldAndADuplicateNumberAreNamed() throws {
    let store = try freshStore()
    let noTitle = corpusLine(number: 1).replacingOccurrences(of: "\"title\": \"Falla\", ", with: "")
    let path = try write([noTitle])
    #expect { try CorpusImporter(store: store).importFile(path) } throws: { "\($0)".contains(":1: missing field 'title'") }
    let dup = try write([corpusLine(number: 5), corpusLine(number: 5)])
    #expect { try CorpusImporter(store: store).importFile(dup) } throws: { "\($0)".contains(":2: number: ticket 5 already exists") }
    #expect(try store.ticketCount() == 0)
}

/// The structure of `store`'s search index (`SearchIndexLevels`).
private func searchLevels(_ store: Store) throws -> SearchIndexLevels {
    let record = try store.read { db in try Data.fetchOne(db, sql: "SELECT block FROM ticket_fts_data WHERE id = ?", arguments: [SearchIndexLevels.rowID]) }
    let bytes = try #require(record)
    return try #require(SearchIndexLevels(record: Array(bytes)))
}

/// An import's search segments go high (`SearchIndexLevels.raisedAbove`), so the site's next
/// changes merge among themselves: forty comments, each its own transaction (past FTS5's crisis
/// merge of 16 segments a level), leave the imported segments as they were. Left at level 0,
/// the sixth comment merged the whole imported index in its transaction. The same after a
/// first import (its side index) and after a later one (the site's index, its own segments too).
@Test func anImportsSearchSegmentsAreNotMergedByTheNextComments() throws {
    let store = try freshStore()
    for (first, imports) in [(1, 1..<301), (41, 301..<601)] {
        let path = try write(imports.map { corpusLine(number: $0, title: "Falla \($0)") })
        #expect(try CorpusImporter(store: store).importFile(path) == 300)
        let imported = try searchLevels(store)
        #expect(imported.levels.prefix(SearchIndexLevels.importLevel).allSatisfy { $0.isEmpty })
        #expect(imported.levels.allSatisfy { $0.count <= 3 } && imported.levels.joined().count >= 1)
        for i in first..<first + 40 {
            try store.write { db in
                _ = try TicketRecords.insert(db, TicketEvent(kind: .comment, actor: Login("jgarcia"), at: Date(), body: "Zanahoria \(i)"), ticket: TicketNumber(i))
            }
        }
        let after = try searchLevels(store)
        let importedLevels = imported.levels.indices.filter { !imported.levels[$0].isEmpty }
        #expect(importedLevels.allSatisfy { $0 < after.levels.count && after.levels[$0] == imported.levels[$0] })
        #expect(after.levels.joined().count > imported.levels.joined().count)
        try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)") }
        #expect(try found(store, "zanahoria").count == first + 39)
        #expect(try found(store, "falla AND \(imports.upperBound - 1)") == [Int64(imports.upperBound - 1) << 20])
    }
}
