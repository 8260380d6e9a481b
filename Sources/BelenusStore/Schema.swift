import BelenusBytes
import GRDB

/// The numbered, append-only migrations of the database. Never edit a shipped one: add the next.
/// From v2 on they check foreign keys as they go (`.immediate`): none rebuilds a table, and
/// GRDB's default, a check of the whole database after each migration, read every row of a
/// 1M-ticket site for minutes to add one table.
enum Schema {
    /// Whether every migration has run: the last one's row is there, since they run in order and
    /// a shipped one never changes (the front door asks the same; a store test pins the two
    /// names together). Building the migrator to ask it was 3 % of a comment's CGI process.
    static func isCurrent(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations')") == true
            && Row.fetchOne(db, sql: FrontDoorSchema.hasRun, arguments: [FrontDoorSchema.migration]) != nil
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: tickets, people, pages, outbox, KB index") { db in
            try db.execute(sql: """
                CREATE TABLE orgs (
                    name TEXT PRIMARY KEY NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE users (
                    login TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    email TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('client', 'tech', 'admin')),
                    org TEXT REFERENCES orgs(name),
                    password_hash TEXT,              -- Argon2id, encoded; NULL: cannot log in
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    CHECK ((role = 'client') = (org IS NOT NULL))
                );
                CREATE INDEX users_org ON users(org);
                CREATE TABLE products (
                    name TEXT PRIMARY KEY NOT NULL,
                    responsible TEXT REFERENCES users(login)
                );
                CREATE TABLE product_versions (
                    product TEXT NOT NULL REFERENCES products(name) ON DELETE CASCADE,
                    version TEXT NOT NULL,
                    PRIMARY KEY (product, version)
                ) WITHOUT ROWID;
                CREATE TABLE tickets (
                    number INTEGER PRIMARY KEY,
                    title TEXT NOT NULL,
                    product TEXT NOT NULL REFERENCES products(name),
                    version TEXT NOT NULL,
                    body TEXT NOT NULL,
                    org TEXT NOT NULL REFERENCES orgs(name),
                    requester TEXT NOT NULL REFERENCES users(login),
                    created_at TEXT NOT NULL,
                    responsible TEXT REFERENCES users(login),
                    assigned TEXT REFERENCES users(login),
                    due_at TEXT NOT NULL,
                    waiting_on TEXT NOT NULL CHECK (waiting_on IN ('support', 'client', 'provider', 'external')),
                    paused_at TEXT,
                    provider_ref TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'approved')),
                    revision INTEGER NOT NULL,
                    page_token TEXT UNIQUE           -- ticket_pages = "link": the secret URL part
                );
                CREATE INDEX tickets_org ON tickets(org, number);
                CREATE INDEX tickets_status ON tickets(status, waiting_on);
                CREATE INDEX tickets_responsible ON tickets(responsible);
                CREATE INDEX tickets_assigned ON tickets(assigned);
                CREATE INDEX tickets_product ON tickets(product);
                CREATE INDEX tickets_provider_ref ON tickets(provider_ref);
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER NOT NULL REFERENCES tickets(number),
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL REFERENCES users(login),
                    kind TEXT NOT NULL,
                    body TEXT NOT NULL DEFAULT '',
                    changes TEXT NOT NULL DEFAULT '[]'  -- JSON [{field, from, to}]
                );
                CREATE INDEX events_ticket ON events(ticket, id);
                CREATE TABLE attachments (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER NOT NULL REFERENCES tickets(number),
                    event INTEGER REFERENCES events(id),
                    name TEXT NOT NULL,              -- as the client named it: data, never a path
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,            -- the file is var/attachments/<sha256>
                    created_at TEXT NOT NULL
                );
                CREATE INDEX attachments_ticket ON attachments(ticket);
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY NOT NULL,  -- SHA-256 of the cookie; never the cookie
                    login TEXT NOT NULL REFERENCES users(login),
                    csrf_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER REFERENCES tickets(number),
                    created_at TEXT NOT NULL,
                    recipients TEXT NOT NULL,        -- JSON array of addresses
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT NOT NULL,
                    sent_at TEXT,
                    last_error TEXT
                );
                CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);
                CREATE TABLE pages (
                    path TEXT PRIMARY KEY NOT NULL,  -- relative to output/
                    fingerprint TEXT NOT NULL,       -- of the inputs it was rendered from
                    content_hash TEXT NOT NULL       -- of the bytes on disk
                ) WITHOUT ROWID;
                CREATE VIRTUAL TABLE kb_fts USING fts5(
                    slug UNINDEXED, title, product, body,
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
        }
        migrator.registerMigration("v2: login throttle, sessions by login", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: """
                CREATE TABLE login_failures (
                    key TEXT PRIMARY KEY NOT NULL,   -- 'login:<name>' or 'addr:<ip>'
                    failures INTEGER NOT NULL,
                    window_start TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sessions_login ON sessions(login);
                CREATE INDEX sessions_expires ON sessions(expires_at);
                CREATE INDEX attachments_sha256 ON attachments(sha256);
                ALTER TABLE outbox ADD COLUMN event_kind TEXT NOT NULL DEFAULT '';  -- 'created' starts a mail thread
                """)
        }
        migrator.registerMigration("v3: an index on ticket numbers for list positions", foreignKeyChecks: .immediate) { db in
            // The rowid table holds the bodies: counting "number < N" on it reads every row
            // before N (68 ms at 100k tickets); on this index it reads numbers only (3 ms).
            try db.execute(sql: "CREATE INDEX tickets_number ON tickets(number)")
        }
        migrator.registerMigration("v4: the dashboard's counts", foreignKeyChecks: .immediate) { db in
            // Open tickets are counted on a covering index in its own order (at 100k tickets,
            // 30k open: 130 ms on the table, whose rows hold the bodies; 19 ms here). Tickets
            // opened and closed per week read a range of the other two.
            try db.execute(sql: """
                CREATE INDEX tickets_open ON tickets(status, product, assigned, responsible, paused_at, due_at);
                CREATE INDEX tickets_created ON tickets(created_at);
                CREATE INDEX events_kind_at ON events(kind, at);
                """)
        }
        migrator.registerMigration("v5: words of tickets, comments and solutions", foreignKeyChecks: .immediate) { db in
            // One row per text: a ticket's title and body, and each event's text (comments,
            // solutions, reasons), written with it in its transaction (`TicketRecords.insert`).
            try db.execute(sql: """
                CREATE VIRTUAL TABLE ticket_fts USING fts5(
                    ticket UNINDEXED, title, body,
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                INSERT INTO ticket_fts (ticket, title, body) SELECT number, title, body FROM tickets;
                INSERT INTO ticket_fts (ticket, title, body) SELECT ticket, '', body FROM events WHERE body != '';
                """)
        }
        migrator.registerMigration("v6: the ticket search's row ids carry the ticket number", foreignKeyChecks: .immediate) { db in
            // rowid = number << 20 | n (n = 0: the ticket's title and body; 1, 2, …: its events'
            // texts in order): the ticket of a match is known without reading the content table,
            // which for a word in most tickets was most of the search (28 of 40 ms at 10k).
            try db.execute(sql: """
                DROP TABLE ticket_fts;
                CREATE VIRTUAL TABLE ticket_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO ticket_fts (rowid, title, body) SELECT number * 1048576, title, body FROM tickets;
                INSERT INTO ticket_fts (rowid, title, body)
                    SELECT ticket * 1048576 + row_number() OVER (PARTITION BY ticket ORDER BY id), '', body FROM events WHERE body != '';
                """)
        }
        migrator.registerMigration("v7: the search index knows each text's company", foreignKeyChecks: .immediate) { db in
            // A column `org` holding one word for the ticket's company (`TicketRecords.orgWord`):
            // a client's search (always of their company) is the index's intersection of their
            // words and that word, not a walk of every ticket that holds a common word (at 100k
            // tickets, "timbrado" for one company: 122 → 47 ms). The rank weighs only the words.
            try db.execute(sql: """
                DROP TABLE ticket_fts;
                CREATE VIRTUAL TABLE ticket_fts USING fts5(title, body, org, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)');
                INSERT INTO ticket_fts (rowid, title, body, org) SELECT number * 1048576, title, body, \(TicketRecords.orgWordSQL) FROM tickets;
                INSERT INTO ticket_fts (rowid, title, body, org)
                    SELECT e.ticket * 1048576 + row_number() OVER (PARTITION BY e.ticket ORDER BY e.id), '', e.body, \(TicketRecords.orgWordSQL)
                    FROM events e JOIN tickets ON tickets.number = e.ticket WHERE e.body != '';
                """)
        }
        migrator.registerMigration("v8: the dashboard's counts kept", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: SLACounts.schema)
        }
        migrator.registerMigration("v9: what undoes an import", foreignKeyChecks: .immediate) { db in
            // `CorpusImporter` commits a batch at a time; each batch's rows are named here in its
            // transaction, so that an error, or the next import after a crash, can undo them all.
            try db.execute(sql: "CREATE TABLE import_undo (kind TEXT NOT NULL, name TEXT NOT NULL)")
        }
        migrator.registerMigration("v10: the tickets changed since the last build", foreignKeyChecks: .immediate) { db in
            // Notes, not a set: a build forgets the notes up to the last one it read, so a change
            // made while it runs stays noted (AUTOINCREMENT: a number is never given twice).
            try db.execute(sql: """
                CREATE TABLE changed_tickets (seq INTEGER PRIMARY KEY AUTOINCREMENT, number INTEGER NOT NULL);
                CREATE TRIGGER changed_tickets_insert AFTER INSERT ON tickets BEGIN
                    INSERT INTO changed_tickets (number) VALUES (NEW.number);
                END;
                CREATE TRIGGER changed_tickets_update AFTER UPDATE ON tickets BEGIN
                    INSERT INTO changed_tickets (number) VALUES (NEW.number);
                END;
                """)
        }
        migrator.registerMigration("v11: the build state in a table of one row", foreignKeyChecks: .immediate) { db in
            // Before: rows of `pages` under `index:` paths whose fingerprint held a time or a
            // token. One row, kept by a CHECK (GRDB's documentation on single-row tables).
            try db.execute(sql: """
                CREATE TABLE build_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    built_at TEXT,    -- when the last whole build ran (ISO 8601, UTC)
                    tickets TEXT,     -- the ticket pages' shared fingerprint then
                    content TEXT,     -- the content files' stamp then
                    output TEXT,      -- the token of the output folder it wrote (output/.belenus-build)
                    kb_index TEXT     -- the published articles the KB search index holds
                );
                INSERT INTO build_state (id, built_at, tickets, content, output, kb_index) VALUES (1,
                    (SELECT fingerprint FROM pages WHERE path = 'index:built-at'),
                    (SELECT fingerprint FROM pages WHERE path = 'index:tickets'),
                    (SELECT fingerprint FROM pages WHERE path = 'index:content'),
                    (SELECT fingerprint FROM pages WHERE path = 'index:output'),
                    (SELECT fingerprint FROM pages WHERE path = 'index:kb'));
                DELETE FROM pages WHERE path LIKE 'index:%';
                """)
        }
        let v12 = "v12: administration: account links, the audit log, retired products"
        migrator.registerMigration(v12, foreignKeyChecks: .immediate) { db in
            try db.execute(sql: """
                ALTER TABLE orgs ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE products ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE product_versions ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
                -- When the password was last typed in this session: an admin change needs it recent.
                ALTER TABLE sessions ADD COLUMN password_at TEXT;
                UPDATE sessions SET password_at = created_at;
                -- Invitation and reset links (SPEC §2): SHA-256 of the link's token, never the token.
                CREATE TABLE account_links (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    login TEXT NOT NULL REFERENCES users(login),
                    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    used_at TEXT
                );
                CREATE INDEX account_links_login ON account_links(login, created_at);
                -- Every administrator's change, web or CLI: append-only, enforced here.
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,      -- a login, or cli:UNIXUSER
                    address TEXT NOT NULL,    -- REMOTE_ADDR; '' for the CLI
                    action TEXT NOT NULL,     -- user.invite, user.edit, org.disable...
                    subject TEXT NOT NULL,    -- the account, company or product
                    changes TEXT NOT NULL     -- JSON [[field, old, new]]; never a password or a token
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'the audit log is append-only');
                END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'the audit log is append-only');
                END;
                """)
        }
        let v13 = "v13: business hours: calendars, a calendar and a due-soon instant per ticket"
        migrator.registerMigration(v13, foreignKeyChecks: .immediate) { db in
            // Every site starts with `24x7` (SPEC §3). A ticket keeps the name of the calendar
            // its deadlines count in; until now every deadline counted wall-clock hours, which is
            // `24x7`, and due-soon was 24 h before the deadline (`due_soon_hours`' default: a
            // site that set another lays its open tickets out again at its next build, see
            // `Store.layOutDueSoon`). `deadlines` keeps the window the stored instants were laid
            // out with.
            try db.execute(sql: """
                CREATE TABLE calendars (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    zone TEXT NOT NULL,       -- IANA
                    hours TEXT NOT NULL,      -- WeeklyHours' canonical text
                    holidays TEXT NOT NULL    -- Holidays' canonical text
                );
                INSERT INTO calendars (name, zone, hours, holidays) VALUES ('24x7', 'UTC', 'mon-sun 00:00-24:00', '');
                ALTER TABLE orgs ADD COLUMN calendar TEXT;  -- NULL: the site's ([tickets] calendar)
                ALTER TABLE tickets ADD COLUMN due_soon_at TEXT NOT NULL DEFAULT '';
                ALTER TABLE tickets ADD COLUMN calendar TEXT NOT NULL DEFAULT '24x7';
                UPDATE tickets SET due_soon_at = strftime('%Y-%m-%dT%H:%M:%SZ', due_at, '-86400 seconds');
                CREATE TABLE deadlines (id INTEGER PRIMARY KEY CHECK (id = 1), due_soon REAL NOT NULL);
                INSERT INTO deadlines (id, due_soon) VALUES (1, 86400);
                """)
            try db.execute(sql: SLACounts.dueSoonSchema)
        }
        let v14 = "v14: replies by mail: the keys of reply addresses, a reply address per queued mail"
        migrator.registerMigration(v14, foreignKeyChecks: .immediate) { db in
            // The HMAC keys of reply addresses (SPEC §7). A key is a secret the site keeps, not
            // a token given to anyone: it must be read back to sign and check, so it is stored
            // as it is, like the database's own content (a backup holds it; see security.md).
            // A retired key still checks the addresses it signed for `Store.replyKeyGrace`.
            try db.execute(sql: """
                CREATE TABLE reply_keys (
                    id INTEGER PRIMARY KEY,
                    secret TEXT NOT NULL,     -- 64 hex digits
                    created_at TEXT NOT NULL,
                    retired_at TEXT
                );
                ALTER TABLE outbox ADD COLUMN reply_to TEXT;  -- LOCAL+TOKEN@DOMAIN, for a mail to one person
                """)
        }
        migrator.registerMigration("v15: replies by mail: the messages taken, addresses that bounce", foreignKeyChecks: .immediate) { db in
            // A reply delivered twice (an MTA's retry, a relay) is one comment: its Message-ID is
            // taken in the comment's transaction.
            try db.execute(sql: """
                CREATE TABLE received_mail (
                    message_id TEXT PRIMARY KEY NOT NULL,
                    at TEXT NOT NULL,
                    ticket INTEGER NOT NULL
                ) WITHOUT ROWID;
                ALTER TABLE users ADD COLUMN bouncing_at TEXT;  -- a delivery report said mail to it failed
                """)
        }
        migrator.registerMigration(SearchTexts.migration, foreignKeyChecks: .immediate) { db in
            try SearchTexts.migrate(db)
        }
        return migrator
    }
}
