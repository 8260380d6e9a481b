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
    #expect(details.ticket.slaState(at: Date(), policy: SLAPolicy()) == .paused)
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
    try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts) VALUES ('integrity-check')") }
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

/// A site's first import loads its tickets without the secondary indexes and makes them at the
/// end, the same as they were; an import into a site with tickets keeps them all along. Seen
/// from another connection while the import runs (its progress every 1,000 tickets).
@Test func aFirstImportMakesItsIndexesAtTheEndAndALaterOneKeepsThem() throws {
    let store = try freshStore()
    let schema = try indexes(store)
    #expect(schema.count >= 10)
    var seen: [Int] = []
    func importing(_ numbers: Range<Int>) throws -> Int {
        let path = try write(numbers.map { corpusLine(number: $0) })
        return try CorpusImporter(store: store) { message in
            if message.hasPrefix("imported") { seen.append((try? indexes(Store(path: store.path)).count) ?? -1) }
        }.importFile(path)
    }
    #expect(try importing(1..<1201) == 1200)
    #expect(seen == [0])
    #expect(try indexes(store) == schema)
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM import_undo") } == 0)
    seen = []
    #expect(try importing(1201..<2201) == 1000)
    #expect(seen == [schema.count])
    #expect(try indexes(store) == schema)
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
