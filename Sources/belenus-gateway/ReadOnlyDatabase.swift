import BelenusBytes
import CSQLiteConfig
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The site's database through SQLite's C API, for the front door's reads: opened as the store
/// opens it (an existing file, no checkpoint on close, the busy handler `DatabaseFile.waitAgain`).
final class ReadOnlyDatabase {
    enum Value {
        case text(String)
        case integer(Int64)
    }

    struct Failure: Error {}

    private var handle: OpaquePointer?

    /// Nil if there is no database there or it cannot be opened (the whole gateway says why).
    /// The handle is closed by `deinit`, which Swift runs for a failed initializer too.
    init?(path: String) {
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
              belenus_sqlite3_no_checkpoint_on_close(handle) == SQLITE_OK,
              // The handle as the handler's argument: the file's name, asked only when busy.
              sqlite3_busy_handler(handle, { handle, tries in
                  DatabaseFile.waitAgain(Int(tries), path: sqlite3_db_filename(OpaquePointer(handle), "main").map { String(cString: $0) })
                      ? 1 : 0
              }, UnsafeMutableRawPointer(handle)) == SQLITE_OK
        else { return nil }
    }

    deinit { sqlite3_close_v2(handle) }

    /// The first row of `sql`, its columns as text (nil for NULL); nil when there is no row.
    func row(_ sql: String, _ arguments: [Value]) throws -> [String?]? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw Failure() }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, argument) in arguments.enumerated() {
            let code = switch argument {
            case .text(let text): sqlite3_bind_text(statement, Int32(i + 1), text, -1, transient)
            case .integer(let n): sqlite3_bind_int64(statement, Int32(i + 1), n)
            }
            guard code == SQLITE_OK else { throw Failure() }
        }
        switch sqlite3_step(statement) {
        case SQLITE_DONE: return nil
        case SQLITE_ROW:
            return (0..<sqlite3_column_count(statement)).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            }
        default: throw Failure()
        }
    }
}
