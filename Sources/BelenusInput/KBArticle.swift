import BelenusCore
import Foundation
import Yams

/// A knowledge-base article: YAML front matter and a Markdown body (as Hugo and Jekyll write it).
public struct KBArticle: Hashable, Sendable {
    public var slug: Slug
    public var title: String
    public var product: String
    public var tags: [String]
    public var updated: Date?
    public var draft: Bool
    /// Markdown.
    public var body: String
    /// The ticket it was published from (`source_ticket`), for articles under `var/kb/`.
    public var sourceTicket: Int?
    /// The file it came from, for error messages.
    public var file: String
    /// Of the file's bytes: a changed file renders its page again.
    public var contentHash: String

    /// Parses one article; errors name the file and the line.
    public static func parse(_ text: String, file: String) throws -> KBArticle {
        let name = (file as NSString).lastPathComponent
        let stem = name.hasSuffix(".md") ? String(name.dropLast(3)) : name
        guard let slug = Slug.isValid(stem) ? Slug(rawValue: stem) : Slug(making: stem) else {
            throw SiteError(file: file, "the file name gives no usable slug")
        }
        let (front, body) = try FrontMatter.split(text, file: file)
        let fields = try FrontMatter.parse(front, file: file)
        guard let title = fields["title"].flatMap(FrontMatter.string), !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SiteError(file: file, line: 2, "front matter: 'title' is required")
        }
        var updated: Date?
        switch fields["updated"] {
        case nil: updated = nil
        case let date as Date: updated = date
        case let text as String:
            guard let date = Timestamp.parse(text) else {
                throw SiteError(file: file, line: 2, "front matter: 'updated' is not a date: \(text)")
            }
            updated = date
        case let other?: throw SiteError(file: file, line: 2, "front matter: 'updated' is not a date: \(other)")
        }
        let tags: [String] = (fields["tags"] as? [Any])?.compactMap(FrontMatter.string) ?? []
        return KBArticle(
            slug: slug, title: title, product: fields["product"].flatMap(FrontMatter.string) ?? "General",
            tags: tags, updated: updated, draft: fields["draft"] as? Bool ?? false, body: body,
            sourceTicket: fields["source_ticket"] as? Int, file: file, contentHash: StableHash.hex(Array(text.utf8)))
    }
}

/// The `---` fenced YAML block at the start of a Markdown file.
enum FrontMatter {
    /// Returns the YAML and the body: the lines between the first line `---` and the next, and
    /// everything after that one. Lines may end in CRLF.
    ///
    /// By UTF-8 bytes, looking at lines only up to the closing fence: splitting the whole file
    /// into `Character` lines and joining the body again was a quarter of a no-change build.
    static func split(_ text: String, file: String) throws -> (yaml: String, body: String) {
        let bytes = text.utf8
        func lineEnd(from start: String.Index) -> String.Index { bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex }
        func isFence(_ start: String.Index, _ end: String.Index) -> Bool {
            bytes[start..<end].filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
                .elementsEqual("---".utf8)
        }
        let firstEnd = lineEnd(from: bytes.startIndex)
        guard isFence(bytes.startIndex, firstEnd), firstEnd < bytes.endIndex else {
            if isFence(bytes.startIndex, firstEnd) { throw SiteError(file: file, line: 1, "front matter: no closing '---'") }
            throw SiteError(file: file, line: 1, "front matter: the file must start with a line '---'")
        }
        let yamlStart = bytes.index(after: firstEnd)
        var start = yamlStart
        while start < bytes.endIndex {
            let end = lineEnd(from: start)
            if isFence(start, end) {
                let yaml = start == yamlStart ? "" : String(text[yamlStart..<bytes.index(before: start)])
                return (yaml, end < bytes.endIndex ? String(text[bytes.index(after: end)...]) : "")
            }
            guard end < bytes.endIndex else { break }
            start = bytes.index(after: end)
        }
        throw SiteError(file: file, line: 1, "front matter: no closing '---'")
    }

    /// The fields: plain names, each holding a scalar (typed as YAML types it: text, number,
    /// boolean, date) or a list of scalars. Walked from Yams' node tree, not `Yams.load`, whose
    /// dictionary builder stops the process on a key that is not a scalar (`? [a]: b`; the
    /// frontmatter fuzz target found it): here that is an error naming the line.
    static func parse(_ yaml: String, file: String) throws -> [String: Any] {
        do {
            // UTF-8 named: Yams' `Encoding.default` reads the whole environment at every call (40 % of
            // its time on 2,000 articles). The basic resolver: values are typed by `typed`.
            guard let node = try Yams.compose(yaml: yaml, .basic, .default, .utf8) else { return [:] }
            guard case .mapping(let mapping) = node else { throw SiteError(file: file, line: 2, "front matter: not a mapping of keys") }
            var fields: [String: Any] = [:]
            for (key, value) in mapping {
                let line = (key.mark?.line).map { $0 + 1 }
                guard case .scalar(let name) = key else {
                    throw SiteError(file: file, line: line, "front matter: a key must be a plain name")
                }
                switch value {
                case .scalar(let scalar): fields[name.string] = Self.typed(scalar)
                case .sequence(let items) where items.allSatisfy({ $0.scalar != nil }):
                    fields[name.string] = items.compactMap(\.scalar).map(Self.typed)
                default: throw SiteError(file: file, line: line, "front matter: '\(name.string)' must hold a value or a list of values")
                }
            }
            return fields
        } catch let error as YamlError {
            throw SiteError(file: file, line: Self.line(of: error).map { $0 + 1 }, "front matter: \(Self.problem(of: error))")
        }
    }

    /// A value as YAML's default rules type it (text, number, boolean, null, date), as
    /// `Resolver.default` would have at composition. That resolver tries its seven regular
    /// expressions on every plain key and value, most of them text that none can match (and again
    /// when Yams hashes the keys to find duplicates): here only a plain value that one of them
    /// could match (empty, or by its first character) goes through them. 2,000 articles' parse
    /// went from 4.3 to 3.1 % of a full build's CPU.
    static func typed(_ scalar: Node.Scalar) -> Any {
        // Quoted or tagged: not resolved by value (a Tag's description is its name, "" when implicit).
        guard scalar.tag.description.isEmpty else { return Node.scalar(scalar).any }
        guard scalar.string.utf8.first.map(mayBeTyped.contains) ?? true else { return scalar.string }
        return Node.scalar(Node.Scalar(scalar.string, Tag(.implicit, .default, .default), scalar.style)).any
    }

    /// The first characters of what `Resolver.default`'s rules match: booleans (yes, no, true,
    /// false, on, off), numbers (sign, digit, "."), dates (digit), null ("~", null), merge ("<<")
    /// and value ("=").
    static let mayBeTyped = Set("yYnNtTfFoO0123456789+-.<~=".utf8)

    static func string(_ value: Any) -> String? {
        switch value {
        case let s as String: s
        case let i as Int: String(i)
        case let d as Double: String(d)
        default: nil
        }
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.line
        default: nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): problem
        default: "\(error)"
        }
    }
}
