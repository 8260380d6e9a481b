import BelenusCore
import Foundation
import TOMLKit

/// A site's copy of the default theme across releases: `belenus theme status` and
/// `belenus theme update`.
///
/// `belenus init` copies the default theme into `site-templates/`, where the webmaster may edit
/// it, and records the SHA-256 of every file it copied in `site-templates/.defaults.sha256`
/// (`sha256sum`'s format: `sha256sum -c` there lists the edited files). A later release's
/// theme is taken file by file, as dpkg takes a conffile:
/// - a file the site never edited is replaced by the new default;
/// - a file the release did not change is kept as the site has it;
/// - a file changed on both sides is kept, and the new default written beside it as
///   `NAME.new`, for the webmaster to merge;
/// - a UI-strings file (`locales/*.toml`) keeps every string the site has and gets the ones the
///   release added, appended at its end;
/// - a file the release added is added.
/// A site made before the record existed has none: a file that differs from the new default is
/// then kept and given a `NAME.new`, since nothing says whether it was edited.
public struct ThemeDefaults {
    public static let recordName = ".defaults.sha256"

    /// What happened, or would happen, to one file.
    public enum Outcome: String, Sendable {
        case current = "up to date"
        case added
        case updated
        case kept = "kept (edited here; not changed in this release)"
        case stringsAdded = "kept, with the release's new strings appended"
        case conflict = "kept (edited here and changed in this release): merge NAME.new"
    }

    public struct Change: Sendable {
        public let path: String
        public let outcome: Outcome
        /// For a change of the UI strings: the keys added.
        public let keys: [String]
    }

    let templates: String
    let defaults: [(path: String, bytes: [UInt8])]

    /// - Parameter defaults: the release's theme, by path under `site-templates/`.
    public init(templates: String, defaults: [(path: String, bytes: [UInt8])]) {
        self.templates = templates
        self.defaults = defaults.sorted { $0.path < $1.path }
    }

    /// The record of a theme just copied: one `HASH  PATH` line per file.
    public static func record(of files: [(path: String, bytes: [UInt8])]) -> String {
        recordText(files.map { ($0.path, SHA256.hex($0.bytes)) })
    }

    static func recordText(_ hashes: [(path: String, hash: String)]) -> String {
        hashes.sorted { $0.path < $1.path }.map { "\($0.hash)  \($0.path)\n" }.joined()
    }

    /// The hashes the site's record holds, by path; empty for a site made before it existed.
    func recorded() -> [String: String] {
        guard let text = try? String(contentsOfFile: templates + "/" + Self.recordName, encoding: .utf8) else { return [:] }
        var hashes: [String: String] = [:]
        // By bytes: a record saved with CRLF line ends is one line to a split by Characters.
        for line in ByteText.split(ByteText.unixLineEnds(text), at: "\n") {
            let parts = ByteText.split(line, at: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            hashes[ByteText.trimmed(parts[1])] = parts[0]
        }
        return hashes
    }

    /// What `update` would do to each file, changing nothing.
    public func status() throws -> [Change] { try walk(writing: false) }

    /// Takes the release's theme as the type's comment says; the changes made, file by file.
    public func update() throws -> [Change] { try walk(writing: true) }

    private func walk(writing: Bool) throws -> [Change] {
        let record = recorded()
        var changes: [Change] = []
        var newRecord: [(path: String, hash: String)] = []
        for file in defaults {
            let path = templates + "/" + file.path
            let current = FileManager.default.contents(atPath: path).map { Array($0) }
            let (currentHash, base, newHash) = (current.map { SHA256.hex($0) }, record[file.path], SHA256.hex(file.bytes))
            var outcome: Outcome
            var keys: [String] = []
            switch current {
            case nil:
                outcome = .added
            case _ where currentHash == newHash:
                outcome = .current
            case _ where base != nil && currentHash == base:
                outcome = .updated
            case let bytes? where file.path.hasPrefix("locales/") && file.path.hasSuffix(".toml"):
                let added = try Self.missingStrings(site: bytes, release: file.bytes, file: path)
                keys = added.map(\.key)
                outcome = added.isEmpty ? .kept : .stringsAdded
                if writing, !added.isEmpty {
                    let tail = "\n# Added by belenus theme update (\(BelenusVersion.current)):\n" + added.map(\.line).joined()
                    try Self.save(bytes + Array(tail.utf8), to: path)
                }
            case _ where base == newHash:
                outcome = .kept
            default:
                outcome = .conflict
                if writing { try Self.save(file.bytes, to: path + ".new") }
            }
            if writing, outcome == .added || outcome == .updated {
                try Self.save(file.bytes, to: path)
            }
            // The record names the default each file now stands on: the release's, except for
            // an edited file the release did not touch.
            newRecord.append((file.path, outcome == .kept ? base ?? newHash : newHash))
            changes.append(Change(path: file.path, outcome: outcome, keys: keys))
        }
        if writing { try Self.save(Array(Self.recordText(newRecord).utf8), to: templates + "/" + Self.recordName) }
        return changes
    }

    /// Written whole or not at all (`AtomicFile.replace`), its folder made if missing.
    static func save(_ bytes: [UInt8], to path: String) throws { try AtomicFile.replace(bytes, at: path) }

    /// The release's strings the site's file lacks, each with its line as the release writes it
    /// (also `belenus doctor`'s list of what an older theme lacks).
    public static func missingStrings(site: [UInt8], release: [UInt8], file: String) throws -> [(key: String, line: String)] {
        let siteKeys: Set<String>
        do {
            siteKeys = Set(try TOMLTable(string: String(decoding: site, as: UTF8.self)).keys)
        } catch let error as TOMLParseError {
            throw SiteError(file: file, line: error.source.begin.line, error.description)
        }
        let table = try TOMLTable(string: String(decoding: release, as: UTF8.self))
        return table.keys.sorted().filter { !siteKeys.contains($0) }.map { key in
            let one = TOMLTable()
            one[key] = table[key]
            return (key, one.convert(to: .toml, options: [.allowUnicodeStrings]) + "\n")
        }
    }
}
