import Foundation

/// Where everything of one site lives on disk (SPEC §1).
public struct SitePaths: Hashable, Sendable {
    public let root: String

    /// `root` made absolute (from the working folder) and without `.`, `..` or empty parts.
    /// By bytes, not through `URL`: the gateway makes one per request, and `URL`'s
    /// standardizing was 1 % of a comment's CPU.
    public init(root: String) {
        let absolute = root.utf8.first == UInt8(ascii: "/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part.utf8.elementsEqual(".".utf8) { continue }
            if part.utf8.elementsEqual("..".utf8) { _ = parts.popLast(); continue }
            parts.append(part)
        }
        self.root = "/" + parts.joined(separator: "/")
    }

    public var config: String { root + "/belenus.toml" }
    public var contentKB: String { root + "/content/kb" }
    public var contentPages: String { root + "/content/pages" }
    public var templates: String { root + "/site-templates" }
    public var output: String { root + "/output" }
    public var var_: String { root + "/var" }
    public var database: String { root + "/var/belenus.sqlite3" }
    public var attachments: String { root + "/var/attachments" }
    public var mail: String { root + "/var/mail" }
    public var publishedKB: String { root + "/var/kb" }
    /// Held (flock) by `belenus import` while it runs: one import at a time, and `belenus doctor`
    /// tells a running import from one cut short.
    public var importLock: String { root + "/var/.import.lock" }

    /// Whether a `belenus import` runs: the lock file exists once an import has run; a held
    /// lock is a running import.
    public var importRunning: Bool {
        FileManager.default.fileExists(atPath: importLock) && (try? FileLock.ifFree(importLock, .shared, { true })) == nil
    }

    /// Creates `var/` and `output/` as needed.
    public func prepareWritableFolders() throws {
        for dir in [var_, attachments, mail, publishedKB, output + "/public", output + "/private"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }
}
