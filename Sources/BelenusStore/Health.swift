import Foundation
import GRDB

/// What `belenus doctor` asks of a database, opened read-only: nothing is migrated or written.
public struct DatabaseHealth: Sendable {
    /// SQLite's `quick_check`: "ok", or the first problems it found.
    public var integrity: String
    /// Migrations this binary has that the database has not had yet (`belenus build` applies them).
    public var pendingMigrations: [String]
    /// The database has had migrations this binary does not know: it was made by a newer one.
    public var newerThanThisBinary: Bool
    /// An import has written what undoes it and not finished: it is running, or was cut short.
    public var importUnfinished: Bool
    /// The names of its business-hours calendars (none before migration v13).
    public var calendars: [String]

    /// Reads the file at `path`; throws when it is not an SQLite database or cannot be opened,
    /// `StoreBusy` when another process has it alone (a site's first import: `Store.takeAlone`).
    public static func inspect(path: String) throws -> DatabaseHealth {
        var config = Configuration()
        config.readonly = true
        return try Store.reportingBusy {
            try DatabaseQueue(path: path, configuration: config).read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                let migrator = Schema.migrator
                let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
                return DatabaseHealth(
                    integrity: problems.joined(separator: "; "),
                    pendingMigrations: migrator.migrations.filter { !applied.contains($0) },
                    newerThanThisBinary: !applied.isSubset(of: Set(migrator.migrations)),
                    importUnfinished: try db.tableExists("import_undo")
                        && Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM import_undo)") == true,
                    calendars: try db.tableExists("calendars") ? String.fetchAll(db, sql: "SELECT name FROM calendars") : [])
            }
        }
    }
}
