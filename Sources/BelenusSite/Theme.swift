import BelenusCore
import BelenusFiles
import Foundation
import Mustache
import TOMLKit

/// The templates, UI strings and assets of `site-templates/`, loaded once per build.
public struct Theme: Sendable {
    let templates: Templates
    /// UI strings of the site's language, the `t` of every template.
    public let strings: [String: String]
    let months: [String]
    /// Files under `assets/`, by path relative to it.
    let assets: [(path: String, bytes: [UInt8])]
    /// Changes when any template, string or asset changes: part of every page's fingerprint.
    public let fingerprint: String

    /// Loads `dir`; a template error names the file and line.
    ///
    /// - Parameter parsingAll: parse every template now (a build, which uses them all and must
    ///   refuse a broken one before writing anything); otherwise each is parsed when first
    ///   rendered (the gateway, which renders two or three templates of the twenty).
    public static func load(from dir: String, language: String, parsingAll: Bool = true) throws -> Theme {
        _ = HTMLEscaper.registered
        let fm = FileManager.default
        var sources: [String: Templates.Source] = [:]
        var hashInput: [UInt8] = []
        guard let files = fm.enumerator(atPath: dir)?.compactMap({ $0 as? String }).sorted() else {
            throw SiteError(file: dir, "no theme here")
        }
        let localePath = "\(dir)/locales/\(language).toml"
        guard let localeText = fm.contents(atPath: localePath).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw SiteError(file: localePath, "missing: the UI strings of language '\(language)'")
        }
        var strings: [String: String] = [:]
        do {
            for (key, value) in try TOMLTable(string: localeText) {
                guard let string = value.string else { throw SiteError(file: localePath, "\(key): expected a string") }
                strings[key] = string
            }
        } catch let error as TOMLParseError {
            throw SiteError(file: localePath, line: error.source.begin.line, error.description)
        }
        var assets: [(String, [UInt8])] = []
        for file in files {
            let path = dir + "/" + file
            guard let data = fm.contents(atPath: path) else { continue }
            hashInput += Array(file.utf8) + [0] + Array(data) + [0]
            if file.hasSuffix(".mustache") {
                guard let text = String(data: data, encoding: .utf8) else { throw SiteError(file: path, "not UTF-8") }
                sources[String(file.dropLast(".mustache".count))] = Templates.Source(file: path, text: inliningStrings(text, strings))
            } else if file.hasPrefix("assets/") {
                assets.append((String(file.dropFirst("assets/".count)), Array(data)))
            }
        }
        if sources["partials/technician-options"] == nil {  // themes made before it existed
            sources["partials/technician-options"] = Templates.Source(
                file: "(built in) partials/technician-options", text: "{{#technicians}}<option value=\"{{login}}\">{{name}}</option>{{/technicians}}")
        }
        let months = (strings["months"] ?? "").split(separator: " ").map(String.init)
        guard months.count == 12 else { throw SiteError(file: localePath, "months: twelve names separated by spaces") }
        for required in ["layout", "home", "page", "kb-index", "kb-all", "kb-article", "login", "ticket", "ticket-list", "feed", "sitemap"]
        where sources[required] == nil {
            throw SiteError(file: "\(dir)/\(required).mustache", "missing template")
        }
        let templates = Templates(sources)
        if parsingAll { try templates.parseAll() }
        return Theme(templates: templates, strings: strings, months: months, assets: assets, fingerprint: FNV1a.hex(hashInput))
    }

    /// `{{t.key}}` replaced by the escaped string and `{{{t.key}}}` by the string itself, before
    /// the template is parsed: the strings are the same on every page of a build, and looking
    /// each one up through the context stack was a quarter of the lookups of a ticket page.
    /// Same output; a string holding "{{" is left to the lookup. Lines keep their numbers.
    ///
    /// A scan by hand, not a `Regex`: building and running the regex was a tenth of a comment's
    /// CGI process. It replaces what `/\{\{(\{?)\s*t\.([a-z0-9_]+)\s*\}\}(\}?)/` matches.
    static func inliningStrings(_ text: String, _ strings: [String: String]) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard let tag = stringTag(in: bytes, at: i) else {
                out.append(bytes[i])
                i += 1
                continue
            }
            if tag.raw == tag.rawClose, let value = strings[tag.key], !value.contains("{{"), !value.contains("\n") {
                out += (tag.raw ? value : HTMLEscaper.escape(value)).utf8
            } else {
                out += bytes[i..<tag.end]
            }
            i = tag.end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `{{t.key}}` or `{{{t.key}}}` tag starting at `start`, if one does.
    private static func stringTag(in b: [UInt8], at start: Int) -> (key: String, raw: Bool, rawClose: Bool, end: Int)? {
        func at(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        func isSpace(_ i: Int) -> Bool { i < b.count && [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d].contains(b[i]) }
        func isKey(_ i: Int) -> Bool { i < b.count && (b[i] >= 0x61 && b[i] <= 0x7a || b[i] >= 0x30 && b[i] <= 0x39 || b[i] == 0x5f) }
        guard at(start, "{"), at(start + 1, "{") else { return nil }
        var i = start + 2
        let raw = at(i, "{")
        if raw { i += 1 }
        while isSpace(i) { i += 1 }
        guard at(i, "t"), at(i + 1, ".") else { return nil }
        i += 2
        let keyStart = i
        while isKey(i) { i += 1 }
        guard i > keyStart else { return nil }
        let key = String(decoding: b[keyStart..<i], as: UTF8.self)
        while isSpace(i) { i += 1 }
        guard at(i, "}"), at(i + 1, "}") else { return nil }
        i += 2
        let rawClose = at(i, "}")
        if rawClose { i += 1 }
        return (key, raw, rawClose, i)
    }

    /// Renders template `name` with `context` (plus `t`, the strings).
    func render(_ name: String, _ context: [String: Any]) -> String {
        var context = Self.droppingEmptyStrings(context) as? [String: Any] ?? [:]
        context["t"] = strings
        return templates.render(context, name)
    }

    /// swift-mustache opens a section for any value but `false`, an empty list and a missing key,
    /// so `{{#x}}` with `x = ""` would show; the Mustache spec's empty string is false. Absent keys
    /// keep the templates' `{{#x}}…{{/x}}` guards meaning what they say.
    static func droppingEmptyStrings(_ value: Any) -> Any? {
        switch value {
        case let s as String: return s.isEmpty ? nil : s
        case let d as [String: Any]: return d.compactMapValues(droppingEmptyStrings)
        case let a as [[String: Any]]: return a.map { $0.compactMapValues(droppingEmptyStrings) }
        default: return value
        }
    }

    func string(_ key: String) -> String { strings[key] ?? key }

    /// "4 mar 2021, 15:02 UTC": the same text for the same time, whatever the machine's locale.
    func display(_ date: Date) -> String {
        let iso = Array(Timestamp.iso(date).utf8)  // YYYY-MM-DDTHH:MM:SSZ
        func part(_ range: Range<Int>) -> String { String(decoding: iso[range], as: UTF8.self) }
        let month = Int(part(5..<7)) ?? 1
        let day = Int(part(8..<10)) ?? 1
        return "\(day) \(months[month - 1]) \(part(0..<4)), \(part(11..<16)) UTC"
    }

    /// "2 KB", "1.5 MB".
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

/// The theme's templates, each parsed when first rendered together with the partials and parents
/// it names (`{{> name}}`, `{{< name}}`), or all at once with `parseAll`. Shared by the threads of
/// a build, so the library is behind a lock.
final class Templates: @unchecked Sendable {
    struct Source {
        /// For errors: the template's file.
        let file: String
        /// With the UI strings inlined.
        let text: String
    }

    private let lock = NSLock()
    private var unparsed: [String: Source]
    private var library = MustacheLibrary()

    init(_ sources: [String: Source]) { unparsed = sources }

    /// Parses every template; the first broken one throws, naming its file and line.
    func parseAll() throws {
        lock.lock()
        defer { lock.unlock() }
        for name in unparsed.keys.sorted() { try parse(name) }
    }

    /// Template `name` rendered with `context`. A template that does not parse (a theme changed
    /// without `belenus build`, which would have refused it) gives its error as the text.
    func render(_ context: Any, _ name: String) -> String {
        lock.lock()
        let library: MustacheLibrary
        do {
            try parse(name)
            library = self.library
            lock.unlock()
        } catch {
            lock.unlock()
            return HTMLEscaper.escape("\(error)")
        }
        return library.render(context, withTemplate: name) ?? ""
    }

    /// Under the lock.
    private func parse(_ name: String) throws {
        guard let source = unparsed.removeValue(forKey: name) else { return }
        do {
            // Same line: line numbers in errors stay those of the file.
            let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(HTMLEscaper.contentTypeName) }}" + source.text)
            library.register(template, named: name)
        } catch let error as MustacheTemplate.ParserError {
            throw SiteError(file: source.file, line: error.context.lineNumber, "template: \(error.error)")
        }
        for other in Self.namedTemplates(in: source.text) { try parse(other) }
    }

    /// The names after `{{>` and `{{<` in `text`.
    static func namedTemplates(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...].drop { $0 == " " }
            guard let kind = rest.first, kind == ">" || kind == "<", let close = rest.range(of: "}}") else { continue }
            names.append(rest[rest.index(after: rest.startIndex)..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }
}
