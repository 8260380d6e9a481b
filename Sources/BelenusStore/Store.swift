import BelenusBytes
import BelenusCore
import CSQLiteConfig
import Foundation
import GRDB
import Synchronization

/// The site's database, `var/belenus.sqlite3`: WAL, a 15 s busy timeout, and every write in a
/// `BEGIN IMMEDIATE` transaction so that concurrent CGI processes queue instead of failing.
///
/// One connection per process: a CGI process answers one request, and the build reads on one
/// thread (it renders in parallel, from what it read). WAL lets other processes read while one
/// writes. Closing does not checkpoint: the WAL stays for the next process (a commit checkpoints
/// once it passes 100 pages), so a request that only reads writes nothing and syncs nothing.
public final class Store: Sendable {
    /// The process's one connection to the database (a GRDB queue: one connection, serial).
    let connection: DatabaseQueue
    public let path: String
    /// When this connection does not wait for a busy database.
    private let waits: Waits

    final class Waits: Sendable {
        /// It has the database alone (`takeAlone`, until `share`).
        let alone = Atomic<Bool>(false)
        /// A checkpoint that gives up at once (`checkpoint(waiting: false)`).
        let never = Atomic<Bool>(false)
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var config = Configuration()
        let waits = Waits()
        // Out of WAL mode the database is a first import's; this connection's own while it
        // has it alone, or leaves it (`share`).
        config.busyMode = .callback { tries in
            !waits.never.load(ordering: .relaxed) && DatabaseFile.waitAgain(tries, path: waits.alone.load(ordering: .relaxed) ? nil : path)
        }
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            let code = belenus_sqlite3_no_checkpoint_on_close(db.sqliteConnection)
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "sqlite3_db_config") }
            // WAL is a property of the file, set once; GRDB's `journalMode = .wal` would also
            // write to make sure a WAL file exists, on every open that finds none.
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw StoreError("\(path): the database cannot be put in WAL mode")
                }
            }
            // A commit is on disk before the gateway answers 303, power cut or not: with NORMAL a
            // WAL commit survives a killed process but not a lost machine. It costs one fsync per
            // commit (0.45 ms here, measured), and a read-only request commits nothing.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The WAL outlives its connections now: after a big write (an import) the next write
            // truncates it back to 64 MiB once it has been checkpointed.
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
            // Every CGI process is the database's only connection when it opens it, so SQLite
            // rebuilds the WAL's index by reading every frame written since the last checkpoint
            // (about 2 µs a frame): with SQLite's default of a checkpoint every 1,000 pages, a
            // page view after a build read 491 frames, 1 ms of its 2.4 ms. Every 100 pages, a
            // view reads at most about a hundred, and writers checkpoint ten times as often,
            // a tenth as much each time.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
        }
        // Opening reads the database: busy while another process has it alone (a site's first
        // import, `takeAlone`).
        let (connection, migrated) = try Self.reportingBusy {
            let connection = try DatabaseQueue(path: path, configuration: config)
            // Most opens find the schema current: look before taking the write lock.
            guard try !connection.read(Schema.isCurrent) else { return (connection, false) }
            try Schema.migrator.migrate(connection)
            return (connection, true)
        }
        self.connection = connection
        self.path = path
        self.waits = waits
        if migrated { try checkpoint() }
    }

    /// The WAL's pages after which a commit copies them into the database (`wal_autocheckpoint`).
    public static let checkpointPages = 100

    /// After a big write (migrations, an import): the WAL copied into the database and cut to
    /// nothing. Otherwise every CGI process after it, the first connection of its own, rebuilds
    /// the WAL's index by reading all of it: after the search index's migration (a 222 MB WAL at
    /// 10k tickets) a page view took 110 ms instead of 14 ms, until a later write happened to
    /// reset it (measured).
    ///
    /// It waits for other writers, and for readers of the WAL to finish, holding new writers back
    /// meanwhile. `waiting: false` does not: another connection busy with the database (a
    /// backup's long read, a request) makes it stop at once, the WAL not cut. Returns whether
    /// the WAL was cut.
    @discardableResult
    public func checkpoint(waiting: Bool = true) throws -> Bool {
        // A row (busy, frames, checkpointed): busy is 1 when it could not finish.
        let busy = try Self.reportingBusy {
            try connection.writeWithoutTransaction { db in
                // Set within the connection's turn: no other use of it, queued meanwhile from
                // another thread, runs with it.
                waits.never.store(!waiting, ordering: .relaxed)
                defer { waits.never.store(false, ordering: .relaxed) }
                return try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return busy == 0
    }

    /// The database file rewritten without its free pages (`VACUUM`), then the WAL cut: after
    /// a migration that dropped a table (v16, the search's copy of the texts) the file keeps
    /// its size until this runs. The gateway keeps reading meanwhile; its writes wait. Returns
    /// the file's bytes before and after.
    ///
    /// Refused, changing nothing, when the database's file system has less free than twice the
    /// pages in use (SQLite writes them to a temporary copy, then again through the WAL): a disk
    /// filled halfway through would stop the gateway's writes too. `freeBytes` stands for what
    /// the file system says it has free.
    public func compact(freeBytes: Int64? = nil) throws -> (before: Int64, after: Int64) {
        func size() -> Int64 { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0 }
        let inUse = try read { db in
            try Int64.fetchOne(db, sql: """
                SELECT (p.page_count - f.freelist_count) * s.page_size
                FROM pragma_page_count p, pragma_freelist_count f, pragma_page_size s
                """) ?? 0
        }
        let system = try? FileManager.default.attributesOfFileSystem(forPath: path)
        let free = freeBytes ?? ((system?[.systemFreeSize] as? NSNumber)?.int64Value ?? .max)
        guard free >= 2 * inUse else {
            let mib = { (bytes: Int64) in "\(bytes / 1_048_576) MiB" }
            throw StoreError("compact needs \(mib(2 * inUse)) free on the database's disk (twice its pages in use), "
                + "and \(mib(free)) are: nothing was changed")
        }
        let before = size()
        try Self.reportingBusy { try connection.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") } }
        try checkpoint()
        return (before, size())
    }

    /// For a site's first import: the database for this connection alone, in a rollback
    /// journal, until `share()`. Pages a transaction appends are not journaled, where WAL writes
    /// every page twice (to the WAL, then to the database). Meanwhile other processes find it
    /// busy and do not wait (`DatabaseFile.waitAgain`): the gateway answers 503. False, changing
    /// nothing, when another connection has the database open (WAL cannot be left then).
    public func takeAlone() throws -> Bool {
        try Self.reportingBusy { try connection.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            do {
                guard try String.fetchOne(db, sql: "PRAGMA main.journal_mode = TRUNCATE") == "truncate" else {
                    throw StoreError("\(path): the database cannot leave WAL mode")
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                try db.execute(sql: "PRAGMA locking_mode = NORMAL")
                return false
            }
            waits.alone.store(true, ordering: .relaxed)
            try db.execute(sql: "BEGIN EXCLUSIVE; COMMIT")  // the lock, kept until `share()`
            return true
        } }
    }

    /// The database shared again after `takeAlone()`, in WAL mode. (WAL entered with the lock
    /// held would keep it: SQLite lets go of it only outside WAL.)
    public func share() throws {
        try Self.reportingBusy { try connection.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = NORMAL")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")  // lets go of the lock
            guard try String.fetchOne(db, sql: "PRAGMA main.journal_mode = WAL") == "wal" else {
                throw StoreError("\(path): the database cannot be put in WAL mode")
            }
            waits.alone.store(false, ordering: .relaxed)
        } }
    }

    /// One transaction: all of `body` or nothing.
    ///
    /// `synced: false` for what may be lost with the machine (not with the process): its commit
    /// skips the fsync that `synchronous = FULL` gives every other (0.3–0.5 ms, with the write
    /// lock held). The next synced commit makes it durable too. The connection is FULL again
    /// after it, so a synced write runs no statement for it.
    ///
    /// `preparing` lists statements that `body` runs through `cachedStatement`: they are
    /// compiled before the write lock is taken, not while other processes wait for it.
    public func write<T>(synced: Bool = true, preparing: [String] = [], _ body: (Database) throws -> T) throws -> T {
        try Self.reportingBusy { try connection.writeWithoutTransaction { db in
            for sql in preparing { _ = try db.cachedStatement(sql: sql) }
            func transaction() throws -> T {
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    CrashPoint.reach("store.before-commit")
                    return .commit
                }
                guard let result else { throw StoreError("transaction ended without a result") }
                return result
            }
            guard !synced else { return try transaction() }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let outcome = Result { try transaction() }
            try db.execute(sql: "PRAGMA synchronous = FULL")  // on the way out of a failure too
            return try outcome.get()
        } }
    }

    /// A consistent snapshot for reading, concurrent with writers.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.reportingBusy { try connection.read(body) }
    }

    /// SQLite's BUSY and LOCKED (another writer held the lock past the busy timeout) as
    /// `StoreBusy`, which callers answer with 503 and Retry-After without knowing GRDB.
    static func reportingBusy<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreBusy(reason: error.message ?? "\(error.resultCode)")
        }
    }
}

/// The database was busy with another writer for longer than the busy timeout: try again.
public struct StoreBusy: HTTPResponseError, CustomStringConvertible, Sendable {
    public let reason: String
    public var status: Int { 503 }
    public var message: String { "the database is busy; try again" }
    public var description: String { "the database is busy: \(reason)" }
}

/// A store error that names what went wrong for a person: the org, the login, the line.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Store {
    /// A consistent copy of the database at `path` (`VACUUM INTO`): one read transaction, so
    /// writers go on meanwhile and the copy holds every commit before it began, the WAL's too.
    public func snapshot(to path: String) throws {
        try connection.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
    }

    /// `PRAGMA integrity_check`: "ok", or what is wrong.
    public func integrityCheck() throws -> String {
        try connection.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}
