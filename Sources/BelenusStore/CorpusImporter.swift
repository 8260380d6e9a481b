import BelenusCore
import Foundation
import GRDB

/// Imports tickets in the corpus format of `shared/bench/gen_corpus.py` (one JSON object a line),
/// creating the orgs, products, versions, requesters and technicians they name.
///
/// All or nothing, in bounded transactions: every `ticketsPerTransaction` tickets are committed,
/// so the WAL holds one batch, not the whole file (at 1M tickets one transaction left an 8.6 GB
/// WAL). Each batch writes, in its own transaction, what would undo it (`import_undo`, schema
/// v9); a broken line, or any error, undoes every batch before the error names the line, and an
/// import cut short by a crash is undone when `belenus import` runs next. Meanwhile the gateway
/// keeps answering and sees the batches come (and, on an error, go), except during a site's
/// first import, which has the database alone when it can (`sideIndex()`). Imported people get
/// no password: they log in after `user passwd`.
public struct CorpusImporter {
    struct Line: Decodable, Equatable {
        struct Person: Decodable, Equatable { let name: String; let email: String }
        struct Comment: Decodable, Equatable { let author: String; let at: String; let body_md: String }
        let number: Int
        let title: String
        let product: String
        let version: String
        let client: String
        let requester: Person
        let created_at: String
        let due_at: String
        let status: String
        let waiting_on: String
        let responsible: String
        let assigned: String?
        let provider_ref: String?
        let body_md: String
        let comments: [Comment]
    }

    public static let ticketsPerTransaction = 10_000

    let store: Store
    let batch: Int
    /// Called every 1,000 lines with the count so far, and at each index made at the end.
    let progress: (String) -> Void
    /// The site's `[tickets]`: the due-soon window and the calendar of companies without one.
    let policy: SLAPolicy
    let defaultCalendar: String

    public init(
        store: Store, policy: SLAPolicy = SLAPolicy(), defaultCalendar: String = BusinessCalendar.alwaysName,
        ticketsPerTransaction: Int = Self.ticketsPerTransaction, progress: @escaping (String) -> Void = { _ in }
    ) {
        self.store = store
        self.policy = policy
        self.defaultCalendar = defaultCalendar
        self.batch = max(1, ticketsPerTransaction)
        self.progress = progress
    }

    /// Returns the number of tickets imported.
    public func importFile(_ path: String) throws -> Int {
        _ = try undoInterrupted()
        let lines = try DecodedLines(path: path, describe: Self.describe)
        defer { lines.stop() }
        defer { try? store.checkpoint() }
        var known = try store.read { db in try Known(db) }
        var count = 0
        var atEnd = false
        try setBulkLoading(true)
        defer { try? setBulkLoading(false) }
        var side: SideIndex?
        defer {
            if let side {
                side.stop()
                try? store.share()  // or the next `Store.init` puts it back in WAL mode
            }
        }
        do {
            if try dropIndexesIfFirst() { side = try sideIndex() }
            while !atEnd {
                var texts: [TicketRecords.SearchText] = []
                try store.write { db in
                    var inBatch = 0
                    while inBatch < batch {
                        guard let item = lines.next() else {
                            atEnd = true
                            break
                        }
                        switch item {
                        case .failure(let message):
                            throw StoreError(message)
                        case .line(let number, let line):
                            do {
                                try insert(line, db: db, known: &known, texts: &texts)
                            } catch {
                                throw StoreError("\(path):\(number): \(error)")
                            }
                        }
                        inBatch += 1
                        count += 1
                        if count % 1000 == 0 { progress("imported \(count) tickets") }
                    }
                    if side != nil {
                        texts.sort { $0.rowid < $1.rowid }  // once: `TicketRecords.index` finds them sorted
                    } else {
                        try TicketRecords.index(db, texts)  // last: see `TicketRecords.index`
                    }
                }
                if let side {
                    // The last batch (also when the file's lines fill it exactly) is handed over
                    // without waiting for room: waiting, the importer sat with one core idle
                    // (10 s at 1M) before making the tables' indexes.
                    atEnd = atEnd || !lines.hasMore()
                    try side.add(texts, waiting: !atEnd)
                } else {
                    try mergeIndex()
                }
            }
            // The tables' indexes are made while the side index's thread works through what it
            // has (another database's work).
            try restoreIndexes()
            if let side {
                progress("search index: finishing")
                try side.finish()
                try side.copy(into: store)
            }
            try raiseSearchSegments()
            try store.write { db in try db.execute(sql: "DELETE FROM import_undo") }  // done: nothing to undo
        } catch {
            try undo()
            throw error
        }
        return count
    }

    /// The settings of a bulk load (measured at 100k tickets, 59 → 42 s; docs/scaling.md), or
    /// the defaults back:
    /// - a 256 MiB page cache for this connection: a batch's pages stay in memory until its
    ///   commit instead of being written to the WAL as the cache fills (the default is 2 MiB);
    /// - a batch's words held in memory up to 256 MiB, so that each batch adds one segment to
    ///   the search index (FTS5's default writes one a MiB);
    /// - SQLite's sorter may take a second thread for a large sort (`PRAGMA threads`: the
    ///   tables' indexes made at the end of a first import);
    /// - the search index merges its segments in transactions of their own, a bounded amount
    ///   each, not within a batch (at 1M tickets an automatic merge wrote 1.2 GB in one batch),
    ///   and only when a level holds 16 segments, not FTS5's 4: each word is rewritten about
    ///   once, not log₄ of the batches times. Searches read a few more segments until the
    ///   gateway's writes (automatic merging, back at 4) have merged them. FTS5's "crisis" merge
    ///   of a level within the write that brings it to 16 segments waits until 64: at 16 it
    ///   merged a whole level in one batch (a 1.4 GB WAL at 1M tickets).
    func setBulkLoading(_ on: Bool) throws {
        try store.write { db in
            try db.execute(sql: "PRAGMA cache_size = \(on ? -262_144 : -2000); PRAGMA threads = \(on ? 2 : 0)")
            try Self.setSearchIndex(db, on ? Self.bulkSettings : Self.defaultSettings)
        }
    }

    /// FTS5's settings for a bulk load (`setBulkLoading`, `SideIndex`), and its defaults.
    static let bulkSettings = [("automerge", 0), ("hashsize", 256 << 20), ("usermerge", 16), ("crisismerge", 64)]
    static let defaultSettings = [("automerge", 4), ("hashsize", 1 << 20), ("usermerge", 4), ("crisismerge", 16)]

    /// Writes `settings` to `ticket_fts`'s configuration in `db`.
    static func setSearchIndex(_ db: Database, _ settings: [(String, Int)]) throws {
        for (name, value) in settings {
            try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES (?, ?)", arguments: [name, value])
        }
    }

    /// A site's first import (no ticket yet) drops the secondary indexes of `tickets` and
    /// `events` and makes them again at the end, each from the whole table at once: kept up to
    /// date row by row they cost a fifth of the import (100k tickets: 35.1 → 29.0 s, 2.4 s of it
    /// making them; 1M: 508 → 403 s). Their definitions go to `import_undo`, so that an import
    /// that fails or is cut short makes them again too. Meanwhile the gateway's lists and
    /// searches of that new site read whole tables. With tickets already there, the indexes stay.
    @discardableResult
    func dropIndexesIfFirst() throws -> Bool {
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM tickets)") == true else { return false }
            let indexes = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('tickets', 'events') ORDER BY name
                """)
            for index in indexes {
                try Self.willUndo(db, "index", index["sql"])
                try db.execute(sql: "DROP INDEX \((index["name"] as String).quotedDatabaseIdentifier)")
            }
            return true
        }
    }

    /// The scratch database of a first import's search index (`SideIndex`).
    var sideIndexPath: String { store.path + ".import-index" }

    /// On a site's first import, when this process can have the database alone
    /// (`Store.takeAlone`): the search index made beside it, on a thread of its own. Otherwise
    /// (another process has the database open) nil: the import indexes as it writes.
    func sideIndex() throws -> SideIndex? {
        guard try store.takeAlone() else { return nil }
        let definition = try store.write { db in
            try Self.willUndo(db, "search-index", sideIndexPath)
            return try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ticket_fts'") ?? ""
        }
        return try SideIndex(path: sideIndexPath, like: definition)
    }

    /// Makes again the indexes `dropIndexesIfFirst` dropped, one a transaction.
    func restoreIndexes() throws {
        let definitions = try store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM import_undo WHERE kind = 'index' ORDER BY rowid")
        }
        for (i, definition) in definitions.enumerated() {
            progress("indexing: \(i + 1) of \(definitions.count)")
            try store.write { db in
                try db.execute(sql: definition)
                try db.execute(sql: "DELETE FROM import_undo WHERE kind = 'index' AND name = ?", arguments: [definition])
            }
        }
    }

    /// Merges the search index's segments, 1,000 pages (4 MB) a transaction, until no level
    /// holds `usermerge` of them: FTS5 says a merge did work when it changed 2 rows or more.
    func mergeIndex() throws {
        while try store.write({ db in
            let before = db.totalChangesCount
            try db.execute(sql: "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('merge', 1000)")
            return db.totalChangesCount - before >= 2
        }) {}
    }

    /// The search index's segments, the import's (and, after a later import, the site's), put
    /// where the site's next changes do not merge them (`SearchIndexLevels`).
    func raiseSearchSegments() throws {
        try store.write { db in try SearchIndexLevels.raiseSegments(db) }
        try Store.reportingBusy { try store.connection.writeWithoutTransaction(SearchIndexLevels.forgetHeldStructure) }
    }

    /// Undoes an import that a crash cut short; returns whether there was one.
    @discardableResult
    public func undoInterrupted() throws -> Bool {
        guard try store.read({ db in try Bool.fetchOne(db, sql: "SELECT 1 FROM import_undo LIMIT 1") }) == true else { return false }
        try undo()
        try setBulkLoading(false)
        return true
    }

    /// Deletes what `import_undo` names, tickets first, 1,000 a transaction, once the indexes
    /// it dropped are back (without `events_ticket`, each ticket deleted would read every event).
    func undo() throws {
        try restoreIndexes()
        // A first import's search index (`SideIndex`): the site had no ticket before, so the
        // index is emptied at once, texts and words, whether or not its copy was made.
        let emptied = try store.read({ db in try Bool.fetchOne(db, sql: "SELECT 1 FROM import_undo WHERE kind = 'search-index'") }) == true
        if emptied {
            try store.write { db in
                try db.execute(sql: """
                    INSERT INTO ticket_fts (ticket_fts) VALUES ('delete-all');
                    DELETE FROM import_undo WHERE kind = 'search-index';
                    """)
            }
            try? FileManager.default.removeItem(atPath: sideIndexPath)
        }
        let shift = TicketRecords.searchShift
        while try store.write({ db in
            let numbers = try Int64.fetchAll(db, sql: "SELECT CAST(name AS INTEGER) FROM import_undo WHERE kind = 'ticket' LIMIT 1000")
            if numbers.isEmpty {
                // The names the tickets used, last: their rows refer to them.
                try db.execute(
                    sql: """
                        DELETE FROM users WHERE login IN (SELECT name FROM import_undo WHERE kind = 'user');
                        DELETE FROM product_versions
                            WHERE product || char(0) || version IN (SELECT name FROM import_undo WHERE kind = 'version');
                        DELETE FROM products WHERE name IN (SELECT name FROM import_undo WHERE kind = 'product');
                        DELETE FROM orgs WHERE name IN (SELECT name FROM import_undo WHERE kind = 'org');
                        DELETE FROM import_undo;
                        """)
                return false
            }
            let list = numbers.map(String.init).joined(separator: ",")
            // Their words first, read from their rows (`SearchTexts`); none after a 'delete-all'.
            if !emptied {
                let texts = try db.cachedStatement(sql: "DELETE FROM ticket_fts WHERE rowid >= ? AND rowid < ?")
                for n in numbers { try texts.execute(arguments: [n << shift, (n + 1) << shift]) }
            }
            let eventTexts = try db.cachedStatement(sql: "DELETE FROM event_texts WHERE id >= ? AND id < ?")
            for n in numbers { try eventTexts.execute(arguments: [n << shift, (n + 1) << shift]) }
            try db.execute(sql: """
                DELETE FROM events WHERE ticket IN (\(list));
                DELETE FROM tickets WHERE number IN (\(list));
                DELETE FROM import_undo WHERE kind = 'ticket' AND name IN (\(numbers.map { "'\($0)'" }.joined(separator: ",")));
                """)
            return true
        }) {}
    }

    /// The names already in the database, so each is looked up once.
    struct Known {
        var orgs: Set<String>
        var products: Set<String>
        var versions: Set<String>
        var users: [String: Role]
        /// Each company's calendar, read when its first ticket is.
        var calendars: [String: BusinessCalendar] = [:]

        init(_ db: Database) throws {
            orgs = Set(try String.fetchAll(db, sql: "SELECT name FROM orgs"))
            products = Set(try String.fetchAll(db, sql: "SELECT name FROM products"))
            versions = Set(try Row.fetchAll(db, sql: "SELECT product, version FROM product_versions")
                .map { "\($0["product"] as String)\u{0}\($0["version"] as String)" })
            users = [:]
            for row in try Row.fetchAll(db, sql: "SELECT login, role FROM users") {
                users[row["login"]] = Role(rawValue: row["role"]) ?? .client
            }
        }
    }

    /// Writes `line`'s rows; its texts for the search index go to `texts`.
    private func insert(_ line: Line, db: Database, known: inout Known, texts: inout [TicketRecords.SearchText]) throws {
        guard let status = TicketStatus(rawValue: line.status) else { throw StoreError("status: unknown '\(line.status)'") }
        guard let waiting = WaitingOn(rawValue: line.waiting_on) else { throw StoreError("waiting_on: unknown '\(line.waiting_on)'") }
        guard let created = Timestamp.parse(line.created_at) else { throw StoreError("created_at: not a time '\(line.created_at)'") }
        guard let due = Timestamp.parse(line.due_at) else { throw StoreError("due_at: not a time '\(line.due_at)'") }
        guard line.number > 0 else { throw StoreError("number: must be 1 or more") }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM tickets WHERE number = ?"), arguments: [line.number]) == true {
            throw StoreError("number: ticket \(line.number) already exists")
        }
        let now = created
        if !known.orgs.contains(line.client) {
            try db.execute(sql: "INSERT INTO orgs (name, created_at) VALUES (?, ?)", arguments: [line.client, Timestamp.iso(now)])
            try Self.willUndo(db, "org", line.client)
            known.orgs.insert(line.client)
        }
        let techs = [line.responsible] + (line.assigned.map { [$0] } ?? [])
        for tech in techs { try ensureTechnician(tech, db: db, known: &known, at: now) }
        if !known.products.contains(line.product) {
            try db.execute(sql: "INSERT INTO products (name) VALUES (?)", arguments: [line.product])
            try Self.willUndo(db, "product", line.product)
            known.products.insert(line.product)
        }
        let versionKey = "\(line.product)\u{0}\(line.version)"
        if !known.versions.contains(versionKey) {
            try db.execute(sql: "INSERT INTO product_versions (product, version) VALUES (?, ?)", arguments: [line.product, line.version])
            try Self.willUndo(db, "version", versionKey)
            known.versions.insert(versionKey)
        }
        let requester = line.requester.email.lowercased()
        switch known.users[requester] {
        case nil:
            let user = User(login: Login(requester), name: line.requester.name, email: line.requester.email, role: .client,
                            org: line.client, disabled: false, hasPassword: false)
            try Store.insertUser(db, user, passwordHash: nil, at: now)
            try Self.willUndo(db, "user", requester)
            known.users[requester] = .client
        case .client?: break
        default: throw StoreError("requester: '\(requester)' is staff, not a client")
        }

        var events: [TicketEvent] = [TicketEvent(kind: .created, actor: Login(requester), at: created)]
        for comment in line.comments {
            guard let at = Timestamp.parse(comment.at) else { throw StoreError("comments: not a time '\(comment.at)'") }
            // The corpus names the requester by full name and a technician by login.
            let author = comment.author == line.requester.name ? requester : comment.author
            if author != requester { try ensureTechnician(author, db: db, known: &known, at: now) }
            events.append(TicketEvent(kind: .comment, actor: Login(author), at: at, body: comment.body_md))
        }
        if known.calendars[line.client] == nil {
            known.calendars[line.client] = try Store.calendar(db, forOrg: line.client, defaultCalendar: defaultCalendar)
        }
        let calendar = known.calendars[line.client]!
        let ticket = Ticket(
            number: TicketNumber(line.number), title: line.title, product: line.product, version: line.version,
            body: line.body_md, org: line.client, requester: Login(requester), createdAt: created,
            responsible: Login(line.responsible), assigned: line.assigned.map { Login($0) }, dueAt: due,
            dueSoonAt: calendar.subtracting(policy.dueSoon, from: due), calendar: calendar.name,
            waitingOn: waiting, pausedAt: status == .open && waiting != .support ? events.last?.at : nil,
            providerRef: line.provider_ref, status: status, revision: events.count)
        try TicketRecords.insert(db, ticket, indexed: false)
        texts.append(TicketRecords.SearchText(ticket))
        var n: Int64 = 0
        for event in events {
            if !event.body.isEmpty { n += 1 }
            try TicketRecords.insert(db, event, ticket: ticket.number, indexed: false, textNumber: n)
            if !event.body.isEmpty {
                texts.append(TicketRecords.SearchText(ticket.number, n, body: event.body, org: ticket.org))
            }
        }
        try Self.willUndo(db, "ticket", String(line.number))
    }

    /// What undoes a row of this import, written in the row's transaction.
    static func willUndo(_ db: Database, _ kind: String, _ name: String) throws {
        try db.cachedStatement(sql: "INSERT INTO import_undo (kind, name) VALUES (?, ?)").execute(arguments: [kind, name])
    }

    private func ensureTechnician(_ login: String, db: Database, known: inout Known, at now: Date) throws {
        switch known.users[login] {
        case nil:
            let user = User(login: Login(login), name: login, email: "\(login)@localhost", role: .tech, org: nil,
                            disabled: false, hasPassword: false)
            try Store.insertUser(db, user, passwordHash: nil, at: now)
            try Self.willUndo(db, "user", login)
            known.users[login] = .tech
        case .client?: throw StoreError("'\(login)' is a client, not a technician")
        default: break
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .dataCorrupted: "not valid JSON"
        @unknown default: "\(error)"
        }
    }
}
