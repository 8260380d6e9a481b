import BelenusTestSupport
import BelenusCore
@testable import BelenusStore
import Foundation
import GRDB
import Testing

/// v16: the ticket search reads its texts from `tickets` and `events` (`SearchTexts`) instead of
/// a copy of its own. The same texts, the same matches, ranks and snippets; an index kept
/// right through every writer.
@Suite struct SearchTextsTests {
    static let words = ["timbrado", "nómina", "sello", "factura", "reporte", "póliza", "cancelación", "certificado"]

    /// A corpus of `count` tickets with two to four comments each, the words spread among them.
    static func corpus(_ count: Int) throws -> String {
        var lines: [String] = []
        for n in 1...count {
            let word = { (k: Int) in words[(n * 7 + k * 3) % words.count] }
            let comments = (0..<(2 + n % 3)).map { k in
                #"{"author": "mlopez", "at": "2020-03-1\#(k + 2)T00:00:00Z", "body_md": "Revise el \#(word(k)) y el \#(word(k + 5)) otra vez."}"#
            }
            lines.append("""
                {"number": \(n), "title": "Falla de \(word(1)) \(n)", "product": "Facturación", "version": "2019.1.8", \
                "client": "\(n % 3 == 0 ? "Acme" : "Globex")", "requester": {"name": "Nuria Álvarez", "email": "nuria@globex.mx"}, \
                "created_at": "2020-03-11T02:51:25Z", "due_at": "2020-03-20T09:51:25Z", "status": "open", "waiting_on": "client", \
                "responsible": "jgarcia", "assigned": null, "provider_ref": null, "body_md": "El \(word(2)) no sale: \(word(4)).", \
                "comments": [\(comments.joined(separator: ", "))]}
                """)
        }
        let path = Scratch.path("corpus", suffix: ".jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every match of each word, with its rank and both snippets, as the index answers them.
    static func answers(_ db: Database) throws -> [String] {
        try words.flatMap { word in
            try Row.fetchAll(db, sql: """
                SELECT rowid, rank, snippet(ticket_fts, 0, '[', ']', '…', 16), snippet(ticket_fts, 1, '[', ']', '…', 16)
                FROM ticket_fts WHERE ticket_fts MATCH ? ORDER BY rank, rowid
                """, arguments: ["{title body} : \"\(word)\""]).map { "\(word) \($0)" }
        }
    }

    /// FTS5's own check of the index against the texts it reads.
    static func indexIsRight(_ store: Store) throws -> Bool {
        try store.write { db in try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)") }
        return true
    }

    /// The site as v15 kept it: the same index, and its own copy of every text.
    static func backToV15(_ path: String, breaking broken: Int64? = nil) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE old_fts USING fts5(title, body, org, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO old_fts (old_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)');
                INSERT INTO old_fts (rowid, title, body, org) SELECT id, title, body, org FROM ticket_texts ORDER BY id;
                DROP TABLE ticket_fts;
                ALTER TABLE old_fts RENAME TO ticket_fts;
                DROP VIEW ticket_texts; DROP INDEX tickets_search_id; DROP TABLE event_texts;
                DELETE FROM grdb_migrations WHERE identifier = ?;
                """, arguments: [SearchTexts.migration])
            if let broken {  // a text the copy holds differently from its row
                try db.execute(sql: "UPDATE ticket_fts_content SET c1 = c1 || ' timbrado' WHERE id = ?", arguments: [broken])
            }
        }
        try queue.close()
    }

    /// A site of `count` imported tickets, closed: its database's path and its answers.
    static func site(_ count: Int) throws -> (path: String, answers: [String]) {
        let store = try freshStore()
        #expect(try CorpusImporter(store: store).importFile(Self.corpus(count)) == count)
        #expect(try Self.indexIsRight(store))
        return (store.path, try store.read(Self.answers))
    }

    @Test func aV15SiteMovesInPlaceAndAnswersTheSame() throws {
        let (path, built) = try Self.site(60)
        #expect(built.count > 100)

        try Self.backToV15(path)
        let before = try DatabaseQueue(path: path).read(Self.answers)
        #expect(before == built, "the v15 layout answers as the v16 one was built")
        let migrated = try Store(path: path)
        #expect(try migrated.read(Self.answers) == before)
        #expect(try Self.indexIsRight(migrated))
        let tables = try migrated.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'ticket_fts%'") }
        #expect(!tables.contains("ticket_fts_content"), "\(tables)")
        #expect(try migrated.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event_texts") } ?? 0 > 120)
        // The same connection that moved the index writes to it (FTS5 holds its structure in
        // memory): the new words go where the index is.
        try migrated.write { db in
            _ = try TicketRecords.insert(db, TicketEvent(kind: .comment, actor: Login("mlopez"), at: Date(), body: "Zanahoria"),
                                         ticket: TicketNumber(7))
        }
        #expect(try Self.indexIsRight(migrated))
        #expect(try migrated.read { db in try Int64.fetchAll(db, sql: "SELECT rowid >> 20 FROM ticket_fts WHERE ticket_fts MATCH 'zanahoria'") }
                == [7])
        // The copy's pages are free until `belenus compact` gives them back.
        let free = { try migrated.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 } }
        #expect(try free() > 0)
        // Not on a disk without twice the pages in use free: refused, nothing changed.
        let pages = try free()
        #expect { try migrated.compact(freeBytes: 4096) } throws: { "\($0)".hasPrefix("compact needs ") && "\($0)".hasSuffix("nothing was changed") }
        #expect(try free() == pages)
        let sizes = try migrated.compact()
        #expect(try free() == 0 && sizes.after < sizes.before, "\(sizes)")
        #expect(try Self.indexIsRight(migrated))
    }

    /// A copy that disagrees with its rows (no writer of ours makes one): the index is made again
    /// from the rows, and answers for them.
    @Test func aCopyThatDisagreesWithItsRowsIsIndexedAgain() throws {
        let (path, built) = try Self.site(20)
        try Self.backToV15(path, breaking: 3 << 20 | 1)
        let migrated = try Store(path: path)
        #expect(try Self.indexIsRight(migrated))
        #expect(try migrated.read(Self.answers) == built)
    }

    /// Every writer keeps the index right: a comment, a company renamed, an import undone.
    @Test func everyWriterKeepsTheIndexRight() throws {
        let store = try freshStore()
        _ = try CorpusImporter(store: store).importFile(Self.corpus(12))
        try store.write { db in
            _ = try TicketRecords.insert(db, TicketEvent(kind: .comment, actor: Login("mlopez"), at: Date(), body: "Nuevo sello"),
                                         ticket: TicketNumber(4))
            _ = try TicketRecords.insert(db, TicketEvent(kind: .assign, actor: Login("mlopez"), at: Date()), ticket: TicketNumber(4))
        }
        // The comment is the ticket's last text; the assignment, without one, has none.
        let texts = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT e.id, x.id & 1048575 FROM events e LEFT JOIN event_texts x ON x.event = e.id WHERE e.ticket = 4 ORDER BY e.id")
        }
        #expect(texts.last?[1] == nil && texts.dropLast().last?[1] as Int64? == Int64(texts.filter { $0[1] != nil }.count))
        #expect(try Self.indexIsRight(store))
        _ = try store.renameOrg("Acme", to: "Acme Global", at: Date(), by: Administrator(name: "admin", address: "127.0.0.1"))
        #expect(try Self.indexIsRight(store))
        var filter = TicketFilter()
        filter.org = "Acme Global"
        filter.words = ["sello"]
        let acme = try store.tickets(matching: filter, page: 1, pageSize: 50, now: Date())
        #expect(!acme.tickets.isEmpty && acme.tickets.allSatisfy { $0.org == "Acme Global" })
        // A second import that fails halfway: its tickets, texts and words go.
        let before = try store.read(Self.answers)
        let more = try String(contentsOfFile: try Self.corpus(14), encoding: .utf8).components(separatedBy: "\n").suffix(2)
        let broken = Scratch.path("corpus", suffix: ".jsonl")
        try (Array(more) + ["{\"number\": "]).joined(separator: "\n").write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try CorpusImporter(store: store, ticketsPerTransaction: 1).importFile(broken) }
        #expect(try Self.indexIsRight(store))
        #expect(try store.read(Self.answers) == before)
        // And the check can fail: words the rows do not hold.
        try store.write { db in
            try db.execute(sql: "INSERT INTO ticket_fts (rowid, title, body, org) VALUES (?, 'zanahoria', '', 'o00')", arguments: [4 << 20])
        }
        #expect(throws: (any Error).self) { try Self.indexIsRight(store) }
    }
}
