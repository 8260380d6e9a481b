import Foundation
import GRDB

/// The search index of a site's first import, made on a thread of its own in a scratch database
/// while the importer writes the tickets, and copied into the site's database at the end.
///
/// FTS5's work was three fifths of an import (100k tickets: 18 of 29 s), all on the one thread
/// that SQLite lets write, and every page of it went through the WAL. Here the words go to a
/// contentless copy of `ticket_fts` (the same columns and tokenizer: the same index, byte for
/// byte) in a file without journal or fsync: a crash loses it, and the import it belongs to is
/// undone anyway (`import_undo` kind `search-index`). The site's index reads its texts from the
/// tickets and events the importer writes (`SearchTexts`); `copy(into:)` writes the index's tables.
///
/// The thread takes batches of texts, at most `ahead` waiting. It holds the object until it
/// ends: the importer calls `finish()` or `stop()` on every way out, so none outlives an import.
final class SideIndex: @unchecked Sendable {
    let path: String
    private let queue: DatabaseQueue
    /// Three: with two, the importer waited for room more often behind this thread's merges
    /// (100k tickets 17.7 → 16.9 s, means of 3 alternated runs; a batch of 10,000 tickets' texts
    /// is about 70 MB at the bench's sizes).
    private let ahead = 3
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var batches: [[TicketRecords.SearchText]] = []
    private var running = true
    private var closed = false
    private var failure: (any Error)?

    /// Creates the scratch database at `path` (anything there is a crashed import's), its table
    /// made by `definition`, the site's `CREATE VIRTUAL TABLE ticket_fts USING fts5(…)` (so its
    /// columns and tokenizer are the site's), contentless; and starts the thread.
    init(path: String, like definition: String) throws {
        guard definition.hasSuffix(")") else { throw StoreError("ticket_fts: not an FTS5 table's definition: \(definition)") }
        try? FileManager.default.removeItem(atPath: path)
        self.path = path
        queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                PRAGMA cache_size = -262144;
                \(Self.contentless(definition));
                """)
            // One segment a batch, merged 16 at a time, between batches.
            try CorpusImporter.setSearchIndex(db, CorpusImporter.bulkSettings)
        }
        Thread { [self] in work() }.start()
    }

    /// The site's definition without its texts: the same columns and tokenizer, so the same index.
    static func contentless(_ definition: String) -> String {
        definition.contains(SearchTexts.externalContent)
            ? definition.replacingOccurrences(of: SearchTexts.externalContent, with: "content = ''")
            : definition.dropLast() + ", content = '')"
    }

    /// Queues a batch's texts once fewer than `ahead` wait (at once with `waiting: false`, the
    /// import's last batch); throws what stopped the thread.
    func add(_ texts: [TicketRecords.SearchText], waiting: Bool = true) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting && batches.count >= ahead && running { condition.wait() }
        if let failure { throw failure }
        guard running else { throw StoreError("the search index's thread has stopped") }
        batches.append(texts)
        condition.broadcast()
    }

    /// Waits for the queued batches to be indexed; throws what went wrong.
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while running { condition.wait() }
        if let failure { throw failure }
    }

    /// Ends the thread, dropping what waits, and deletes the scratch database.
    func stop() {
        condition.lock()
        batches = []
        closed = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Replaces the index tables of `store`'s `ticket_fts` by this one's, in one transaction.
    /// SQLite copies each table page by page (its transfer optimisation: same columns, empty
    /// target), not row by row; FTS5 then forgets the structure it held (`SearchIndexLevels.forgetHeldStructure`).
    /// Call after `finish()`.
    func copy(into store: Store) throws {
        try Store.reportingBusy { try store.connection.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS side", arguments: [path])  // not within a transaction
            defer { try? db.execute(sql: "DETACH DATABASE side") }
            try db.inTransaction(.immediate) {
                for table in ["ticket_fts_data", "ticket_fts_idx", "ticket_fts_docsize"] {
                    try db.execute(sql: "DELETE FROM main.\(table); INSERT INTO main.\(table) SELECT * FROM side.\(table)")
                }
                return .commit
            }
            try SearchIndexLevels.forgetHeldStructure(db)
        } }
    }

    private func work() {
        defer {
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
        while let texts = take() {
            do {
                try queue.inDatabase { db in
                    try db.inTransaction {
                        try TicketRecords.index(db, texts)
                        return .commit
                    }
                    // Merged while the importer writes the next batch.
                    var before = 0
                    repeat {
                        before = db.totalChangesCount
                        try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('merge', 1000)")
                    } while db.totalChangesCount - before >= 2
                }
            } catch {
                condition.lock()
                failure = error
                condition.unlock()
                return
            }
        }
    }

    /// The next batch; nil once closed with none left.
    private func take() -> [TicketRecords.SearchText]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }
}
