import GRDB

/// What the generator last wrote at one output path, to skip unchanged work next time.
public struct PageRecord: Hashable, Sendable {
    /// Relative to `output/`, e.g. `public/kb/index.html`.
    public var path: String
    /// Of the inputs the page was rendered from; equal fingerprints mean an equal page.
    public var fingerprint: String
    /// Of the bytes written.
    public var contentHash: String

    public init(path: String, fingerprint: String, contentHash: String) {
        self.path = path
        self.fingerprint = fingerprint
        self.contentHash = contentHash
    }
}

/// The page-state table behind incremental builds.
extension Store {
    public func pageRecords() throws -> [String: PageRecord] {
        try read { db in
            var records: [String: PageRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, fingerprint, content_hash FROM pages") {
                let record = PageRecord(path: row["path"], fingerprint: row["fingerprint"], contentHash: row["content_hash"])
                records[record.path] = record
            }
            return records
        }
    }

    /// How many pages were written (the build's own `index:` records left out).
    public func pageCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pages WHERE path NOT LIKE 'index:%'") ?? 0 }
    }

    /// The records of `paths` that exist.
    public func pageRecords(paths: [String]) throws -> [String: PageRecord] {
        try read { db in
            var records: [String: PageRecord] = [:]
            let statement = try db.cachedStatement(sql: "SELECT path, fingerprint, content_hash FROM pages WHERE path = ?")
            for path in paths {
                if let row = try Row.fetchOne(statement, arguments: [path]) {
                    records[path] = PageRecord(path: path, fingerprint: row["fingerprint"], contentHash: row["content_hash"])
                }
            }
            return records
        }
    }

    /// Records pages written (or confirmed) and forgets the paths in `removed`.
    public func savePageRecords(_ records: [PageRecord], removing removed: [String] = []) throws {
        guard !records.isEmpty || !removed.isEmpty else { return }
        // Unsynced: a record lost with the machine makes the next build render its page again.
        try write(synced: false) { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO pages (path, fingerprint, content_hash) VALUES (?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET fingerprint = excluded.fingerprint, content_hash = excluded.content_hash
                """)
            for r in records { try upsert.execute(arguments: [r.path, r.fingerprint, r.contentHash]) }
            let delete = try db.cachedStatement(sql: "DELETE FROM pages WHERE path = ?")
            for path in removed { try delete.execute(arguments: [path]) }
        }
    }

    /// Marks pages stale so that the next build renders them again (after a failed regeneration).
    public func markPagesStale(_ paths: [String]) throws {
        try write { db in
            let statement = try db.cachedStatement(sql: "UPDATE pages SET fingerprint = 'stale' WHERE path = ?")
            for path in paths { try statement.execute(arguments: [path]) }
        }
    }

    /// Forgets every page written: the next build writes them all (after a restore, whose
    /// records describe another site's output).
    public func forgetPageRecords() throws {
        try write { db in try db.execute(sql: "DELETE FROM pages") }
    }
}
