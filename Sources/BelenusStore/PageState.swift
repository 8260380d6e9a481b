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

    /// How many pages were written.
    public func pageCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pages") ?? 0 }
    }

    /// What the last whole build saw (`build_state`, one row; nil fields before the first).
    public func buildState() throws -> BuildStateRecord {
        try read(Self.buildState)
    }

    static func buildState(_ db: Database) throws -> BuildStateRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT built_at, tickets, content, output, kb_index FROM build_state WHERE id = 1")
        else { return BuildStateRecord() }
        return BuildStateRecord(builtAt: row["built_at"], tickets: row["tickets"], content: row["content"], output: row["output"],
                                kbIndex: row["kb_index"])
    }

    /// Changes the build's state in one transaction. Unsynced, as the page records: a state lost
    /// with the machine makes the next build a whole one.
    public func updateBuildState(_ change: (inout BuildStateRecord) -> Void) throws {
        try write(synced: false) { db in
            var state = try Self.buildState(db)
            change(&state)
            try db.execute(sql: """
                INSERT INTO build_state (id, built_at, tickets, content, output, kb_index) VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET built_at = excluded.built_at, tickets = excluded.tickets, content = excluded.content,
                    output = excluded.output, kb_index = excluded.kb_index
                """, arguments: [state.builtAt, state.tickets, state.content, state.output, state.kbIndex])
        }
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

    /// Records pages written (or confirmed) and forgets the paths in `removed`. A page marked
    /// stale since `read` (the records the writer read before rendering) stays stale: a request
    /// marks its ticket's page so while a whole build, which read the records minutes before,
    /// may have rendered the ticket before the change.
    public func savePageRecords(_ records: [PageRecord], read: [String: PageRecord] = [:], removing removed: [String] = []) throws {
        guard !records.isEmpty || !removed.isEmpty else { return }
        // Unsynced: a record lost with the machine makes the next build render its page again.
        try write(synced: false) { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO pages (path, fingerprint, content_hash) VALUES (?1, ?2, ?3)
                ON CONFLICT(path) DO UPDATE SET fingerprint = excluded.fingerprint, content_hash = excluded.content_hash
                WHERE pages.fingerprint != 'stale' OR ?4 = 'stale'
                """)
            for r in records { try upsert.execute(arguments: [r.path, r.fingerprint, r.contentHash, read[r.path]?.fingerprint ?? ""]) }
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

/// What the last whole build saw: see `BuildState` (BelenusBuild), which reads and keeps it.
public struct BuildStateRecord: Sendable, Equatable {
    /// When it ran, ISO 8601 in UTC.
    public var builtAt: String?
    /// The ticket pages' shared fingerprint (theme, config, technicians).
    public var tickets: String?
    /// The content files' stamp.
    public var content: String?
    /// The token of the output folder it wrote (`output/.belenus-build`).
    public var output: String?
    /// The fingerprint of the published articles the KB search index holds.
    public var kbIndex: String?

    public init(builtAt: String? = nil, tickets: String? = nil, content: String? = nil, output: String? = nil, kbIndex: String? = nil) {
        self.builtAt = builtAt
        self.tickets = tickets
        self.content = content
        self.output = output
        self.kbIndex = kbIndex
    }
}
