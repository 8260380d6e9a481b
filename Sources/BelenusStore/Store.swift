import BelenusCore
import Foundation
import GRDB

/// The site's database, `var/belenus.sqlite3`: WAL, a 15 s busy timeout, and every write in a
/// `BEGIN IMMEDIATE` transaction so that concurrent CGI processes queue instead of failing.
public final class Store: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(15)
        config.foreignKeysEnabled = true
        self.pool = try DatabasePool(path: path, configuration: config)
        self.path = path
        try Schema.migrator.migrate(pool)
    }

    /// One transaction: all of `body` or nothing.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError("transaction ended without a result") }
            return result
        }
    }

    /// A consistent snapshot for reading, concurrent with writers.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }
}

/// A store error that names what went wrong for a person: the org, the login, the line.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
