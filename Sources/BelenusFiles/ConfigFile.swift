import BelenusCore
import Foundation
import TOMLKit

/// `belenus.toml` made and changed as a value (TOMLKit), never edited as text: `belenus init`
/// and `belenus demo` write it, tests change single keys. `SiteConfig` reads it.
public enum ConfigFile {
    /// A setting as TOML types it.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case strings([String])

        var toml: TOMLValueConvertible {
            switch self {
            case .string(let s): s
            case .int(let i): i
            case .bool(let b): b
            case .strings(let list): TOMLArray(list)
            }
        }
    }

    /// What every new site's file starts with: the keys are SPEC §4's.
    static let header = """
        # Belenus site configuration. Every key is optional; the defaults are shown. What each
        # changes: /usr/share/doc/belenus/config.md. Check the file with `belenus doctor`.


        """

    /// The file of a new site: the defaults (`SiteInit.defaultConfig`) with `changes`, each
    /// named by its key, "timezone" or "mail.transport".
    public static func initial(_ changes: [String: Value] = [:]) throws -> String {
        let table = try TOMLTable(string: SiteInit.defaultConfig)
        try set(changes, in: table)
        return header + text(of: table)
    }

    /// Sets `changes` in the file at `path` and writes it again whole (a temporary file beside
    /// it, then rename): the other keys keep their values, comments do not stay.
    public static func update(_ path: String, _ changes: [String: Value]) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw SiteError(file: path, "cannot read") }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: String(decoding: data, as: UTF8.self))
        } catch {
            throw SiteError(file: path, "is not TOML: \(error)")
        }
        try set(changes, in: table)
        try AtomicFile.replace(Array(text(of: table).utf8), at: path)
    }

    static func set(_ changes: [String: Value], in root: TOMLTable) throws {
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".").map(String.init)
            var table = root
            for name in parts.dropLast() {
                if let inner = table[name]?.table {
                    table = inner
                } else {
                    let inner = TOMLTable()
                    table[name] = inner
                    guard let made = table[name]?.table else { throw SiteError(file: "belenus.toml", "\(key): cannot make [\(name)]") }
                    table = made
                }
            }
            guard let last = parts.last else { throw SiteError(file: "belenus.toml", "an empty key") }
            table[last] = value.toml
        }
    }

    /// Double-quoted strings (as SPEC §4 writes them), one key a line.
    static func text(of table: TOMLTable) -> String {
        table.convert(to: .toml, options: [.allowUnicodeStrings]) + "\n"
    }
}
