import BelenusTestSupport
import BelenusCore
import BelenusViews
import Foundation
import Testing
import TOMLKit

/// Spanish and English are both complete: every string the templates and the code ask for is in
/// both locales, and no words are written into the templates themselves.
@Suite struct LocaleTests {
    static func strings(_ language: String) throws -> [String: String] {
        let text = try String(contentsOfFile: "\(Repository.root)/site-templates/locales/\(language).toml", encoding: .utf8)
        return try TOMLDecoder().decode([String: String].self, from: text)
    }

    static func templates() throws -> [String: String] {
        let dir = "\(Repository.root)/site-templates"
        var result: [String: String] = [:]
        for file in try #require(FileManager.default.enumerator(atPath: dir)).compactMap({ $0 as? String }) where file.hasSuffix(".mustache") {
            result[file] = try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
        }
        return result
    }

    /// Every key the code looks up: literal `string("…")` calls and the keys made from enums.
    static func keysTheCodeUses() throws -> Set<String> {
        var keys = Set<String>()
        let sources = "\(Repository.root)/Sources"
        for file in try #require(FileManager.default.enumerator(atPath: sources)).compactMap({ $0 as? String }) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
            for match in text.matches(of: /[\w)]\.string\("([a-z0-9_]+)"\)/) { keys.insert(String(match.1)) }
            // A string for a count has its singular too.
            for match in text.matches(of: /\.string\("([a-z0-9_]+)", count:/) { keys.formUnion([String(match.1), "\(match.1)_one"]) }
            for match in text.matches(of: /code: "([a-z0-9_]+)"/) { keys.insert("error_code_\(match.1)") }
        }
        keys.formUnion(SLAState.allCases.map { "sla_\($0.rawValue)" })
        keys.formUnion(TicketStatus.allCases.map { "status_\($0.rawValue)" })
        keys.formUnion(WaitingOn.allCases.map { "waiting_\($0.rawValue)" })
        keys.formUnion(TicketEvent.Kind.allCases.map { "event_\($0.rawValue)" })
        keys.formUnion(["title", "product", "version", "body", "file", "org", "status", "assigned", "responsible", "due_at",
                        "waiting_on", "provider_ref", "login", "password", "number", "csrf"].map { "field_\($0)" })
        return keys
    }

    @Test func bothLanguagesHaveTheSameKeysAndPlaceholders() throws {
        let es = try Self.strings("es"), en = try Self.strings("en")
        #expect(Set(es.keys).subtracting(en.keys).sorted() == [], "missing in en.toml")
        #expect(Set(en.keys).subtracting(es.keys).sorted() == [], "missing in es.toml")
        for (key, value) in es {
            #expect(!value.trimmingCharacters(in: .whitespaces).isEmpty, "es: \(key) is empty")
            guard let english = en[key] else { continue }
            #expect(!english.trimmingCharacters(in: .whitespaces).isEmpty, "en: \(key) is empty")
            #expect(value.components(separatedBy: "%@").count == english.components(separatedBy: "%@").count, "\(key): not the same %@")
        }
    }

    @Test func everyKeyTheTemplatesAndTheCodeUseIsThere() throws {
        var used = try Self.keysTheCodeUses()
        for (_, text) in try Self.templates() {
            for match in text.matches(of: /\{\{[#^\/]?t\.([a-z0-9_]+)\}\}/) { used.insert(String(match.1)) }
        }
        #expect(used.count > 100)
        for language in ["es", "en"] {
            let strings = try Self.strings(language)
            #expect(used.subtracting(strings.keys).sorted() == [], "keys missing in \(language).toml")
        }
    }

    /// A count picks the singular string for one thing only, in both languages; a theme that
    /// lacks the singular shows the plural string.
    @Test func oneThingIsSingular() throws {
        let es = try Theme.load(from: Repository.root + "/site-templates", language: "es", linkingAll: false)
        let en = try Theme.load(from: Repository.root + "/site-templates", language: "en", linkingAll: false)
        #expect([0, 1, 2].map { es.string("search_count", count: $0, "\($0)") } == ["0 resultados", "1 resultado", "2 resultados"])
        #expect([0, 1, 2].map { en.string("search_count", count: $0, "\($0)") } == ["0 results", "1 result", "2 results"])
        #expect(es.string("list_total", count: 1, "1", "1", "1") == "1 ticket · página 1 de 1")
        #expect(es.string("title", count: 1) == es.string("title"))  // no "title_one": the one string
    }

    /// Text between the tags of a template must come from the locales: a word typed into a
    /// template would show in Spanish on an English site.
    @Test func noWordIsWrittenIntoATemplate() throws {
        for (file, text) in try Self.templates() where !["feed.mustache", "sitemap.mustache"].contains(file) {
            var stripped = text.replacing(/\{\{[^}]*\}\}\}?/, with: " ")
            stripped = stripped.replacing(/<!--.*?-->/.dotMatchesNewlines(), with: " ")
            stripped = stripped.replacing(/<[^>]*>/, with: " ")
            let words = stripped.split(whereSeparator: { !$0.isLetter }).filter { $0.count > 1 }.map(String.init)
            #expect(words.isEmpty, "\(file): \(words.prefix(5))")
        }
    }
}
