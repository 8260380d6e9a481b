import BelenusCore
import Foundation
import Mustache
import TOMLKit

/// The templates, UI strings and assets of `site-templates/`, loaded once per build.
public struct Theme: Sendable {
    let library: MustacheLibrary
    /// UI strings of the site's language, the `t` of every template.
    public let strings: [String: String]
    let months: [String]
    /// Files under `assets/`, by path relative to it.
    let assets: [(path: String, bytes: [UInt8])]
    /// Changes when any template, string or asset changes: part of every page's fingerprint.
    public let fingerprint: String

    /// Loads `dir`; a template error names the file and line.
    public static func load(from dir: String, language: String) throws -> Theme {
        _ = HTMLEscaper.registered
        let fm = FileManager.default
        var library = MustacheLibrary()
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
                let name = String(file.dropLast(".mustache".count))
                do {
                    // Same line: line numbers in errors stay those of the file.
                    let source = "{{% CONTENT_TYPE: \(HTMLEscaper.contentTypeName) }}" + inliningStrings(text, strings)
                    let template = try MustacheTemplate(string: source)
                    library.register(template, named: name)
                } catch let error as MustacheTemplate.ParserError {
                    throw SiteError(file: path, line: error.context.lineNumber, "template: \(error.error)")
                }
            } else if file.hasPrefix("assets/") {
                assets.append((String(file.dropFirst("assets/".count)), Array(data)))
            }
        }
        if library.getTemplate(named: "partials/technician-options") == nil, let fallback = try? MustacheTemplate(string:
            "{{% CONTENT_TYPE: \(HTMLEscaper.contentTypeName) }}{{#technicians}}<option value=\"{{login}}\">{{name}}</option>{{/technicians}}") {
            library.register(fallback, named: "partials/technician-options")  // themes made before it existed
        }
        let months = (strings["months"] ?? "").split(separator: " ").map(String.init)
        guard months.count == 12 else { throw SiteError(file: localePath, "months: twelve names separated by spaces") }
        for required in ["layout", "home", "page", "kb-index", "kb-all", "kb-article", "login", "ticket", "ticket-list", "feed", "sitemap"]
        where library.getTemplate(named: required) == nil {
            throw SiteError(file: "\(dir)/\(required).mustache", "missing template")
        }
        return Theme(library: library, strings: strings, months: months, assets: assets, fingerprint: FNV1a.hex(hashInput))
    }

    /// `{{t.key}}` replaced by the escaped string and `{{{t.key}}}` by the string itself, before
    /// the template is parsed: the strings are the same on every page of a build, and looking
    /// each one up through the context stack was a quarter of the lookups of a ticket page.
    /// Same output; a string holding "{{" is left to the lookup. Lines keep their numbers.
    static func inliningStrings(_ text: String, _ strings: [String: String]) -> String {
        text.replacing(/\{\{(\{?)\s*t\.([a-z0-9_]+)\s*\}\}(\}?)/) { match in
            let (raw, key, rawClose) = (match.1, String(match.2), match.3)
            guard raw.isEmpty == rawClose.isEmpty, let value = strings[key], !value.contains("{{"), !value.contains("\n")
            else { return String(match.0) }
            return raw.isEmpty ? HTMLEscaper.escape(value) : value
        }
    }

    /// Renders template `name` with `context` (plus `t`, the strings).
    func render(_ name: String, _ context: [String: Any]) -> String {
        var context = Self.droppingEmptyStrings(context) as? [String: Any] ?? [:]
        context["t"] = strings
        return library.render(context, withTemplate: name) ?? ""
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
