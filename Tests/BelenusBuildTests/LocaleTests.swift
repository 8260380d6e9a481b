import BelenusTestSupport
import BelenusCore
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
