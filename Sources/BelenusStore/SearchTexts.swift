import GRDB

/// The texts the ticket search finds, read where they are kept (schema v16).
///
/// Until v15, `ticket_fts` was an ordinary FTS5 table: besides its index it kept its own copy
/// of every title, body and comment (`ticket_fts_content`), a third of the database at 1M
/// tickets. Since v16 it is an external-content table over the view `ticket_texts`, which reads
/// the same texts from `tickets` and `events` under the same row ids (`number << 20 | n`: a
/// ticket's title and body are n = 0; `event_texts` names the event of each n > 0). FTS5 reads
/// the view only for `snippet()` and checks; the index, and so every answer and rank, is the
/// one it was.
///
/// An external-content index is kept by hand: a row's words are added with its `INSERT INTO
/// ticket_fts`, and removed by a `DELETE FROM ticket_fts` (or changed by an `UPDATE`) *before*
/// the rows under the view change, since FTS5 reads the words to remove from the view.
enum SearchTexts {
    static let migration = "v16: the ticket search reads its texts from the tickets and their events"

    /// The view, the events' row ids, and an expression index that lets FTS5's `WHERE id = ?`
    /// find a ticket's row (SQLite pushes the condition into both arms of the view).
    static let schema = """
        CREATE TABLE event_texts (
            id INTEGER PRIMARY KEY,  -- ticket << 20 | n: the event's row id in the search
            event INTEGER NOT NULL   -- events.id
        );
        CREATE INDEX tickets_search_id ON tickets (number * 1048576);
        CREATE VIEW ticket_texts (id, title, body, org) AS
            SELECT number * 1048576, title, body, \(TicketRecords.orgWordSQL) FROM tickets
            UNION ALL
            SELECT event_texts.id, '', events.body, \(TicketRecords.orgWordSQL)
                FROM event_texts JOIN events ON events.id = event_texts.event JOIN tickets ON tickets.number = events.ticket;
        """

    static let table = "CREATE VIRTUAL TABLE ticket_fts USING fts5(title, body, org, \(externalContent), "
        + "tokenize = 'unicode61 remove_diacritics 2')"
    /// What makes the index read its texts from the view (`SideIndex` makes a contentless twin).
    static let externalContent = "content = 'ticket_texts', content_rowid = 'id'"

    /// v15 → v16, in place. Each event's n is numbered as every writer numbered it (its
    /// ticket's texts in order); when the index's documents are exactly the view's rows, the
    /// index's four tables are renamed under the new table, as they are (the same columns and
    /// tokenizer make the same index), and the old table, its copy of the texts with it, is
    /// dropped: at 1M tickets no page of the 4 GB index is copied. Otherwise (nothing here
    /// writes such a site) the index is made again from the rows.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: schema)
        try db.execute(sql: """
            INSERT INTO event_texts (id, event)
                SELECT ticket * 1048576 + row_number() OVER (PARTITION BY ticket ORDER BY id), id FROM events WHERE body != '';
            """)
        // By row id alone: `_docsize` has a row per document and is small (0.11 GB at 1M).
        let agree = try Bool.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM ticket_fts_docsize) = (SELECT count(*) FROM tickets) + (SELECT count(*) FROM event_texts)
                AND NOT EXISTS (SELECT 1 FROM ticket_fts_docsize d WHERE CASE WHEN d.id & 1048575 = 0
                    THEN NOT EXISTS (SELECT 1 FROM tickets WHERE number = d.id >> 20)
                    ELSE NOT EXISTS (SELECT 1 FROM event_texts WHERE event_texts.id = d.id) END)
            """) ?? false
        try db.execute(sql: table.replacingOccurrences(of: "TABLE ticket_fts USING", with: "TABLE ticket_search USING"))
        if agree {
            // The new table's empty shadow tables give way to the old ones; the old table gets
            // an empty index of its own to be dropped with (FTS5 opens a table to drop it).
            let shadows = ["data", "idx", "docsize", "config"]
            try db.execute(sql: shadows.map { "DROP TABLE ticket_search_\($0);" }.joined())
            try db.execute(sql: shadows.map { "ALTER TABLE ticket_fts_\($0) RENAME TO ticket_search_\($0);" }.joined())
            try db.execute(sql: """
                CREATE VIRTUAL TABLE ticket_stub USING fts5(title, body, org);
                CREATE TABLE ticket_fts_data (id INTEGER PRIMARY KEY, block BLOB);
                CREATE TABLE ticket_fts_idx (segid, term, pgno, PRIMARY KEY (segid, term)) WITHOUT ROWID;
                CREATE TABLE ticket_fts_docsize (id INTEGER PRIMARY KEY, sz BLOB);
                CREATE TABLE ticket_fts_config (k PRIMARY KEY, v) WITHOUT ROWID;
                """)
            try db.execute(sql: shadows.map { "INSERT INTO ticket_fts_\($0) SELECT * FROM ticket_stub_\($0);" }.joined())
            try db.execute(sql: "DROP TABLE ticket_stub")
        }
        try db.execute(sql: "DROP TABLE ticket_fts; ALTER TABLE ticket_search RENAME TO ticket_fts")
        if !agree {
            try db.execute(sql: """
                INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)');
                INSERT INTO ticket_fts (ticket_fts) VALUES ('rebuild');
                """)
        }
    }
}
