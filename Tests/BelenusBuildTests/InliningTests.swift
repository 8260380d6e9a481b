import BelenusTestSupport
import BelenusFiles
@testable import BelenusViews
import Foundation
import Testing

/// `Theme.inliningStrings` scans by hand what this regex matches; both must give the same text.
@Suite struct InliningTests {
    static func byRegex(_ text: String, _ strings: [String: String]) -> String {
        text.replacing(/\{\{(\{?)\s*t\.([a-z0-9_]+)\s*\}\}(\}?)/) { match in
            let (raw, key, rawClose) = (match.1, String(match.2), match.3)
            guard raw.isEmpty == rawClose.isEmpty, let value = strings[key] else { return String(match.0) }
            return raw.isEmpty ? HTMLEscaper.escape(value) : value
        }
    }

    let strings = ["a": "Año <nuevo>", "b": "x{y", "c": "dos\nlíneas", "d_2": "D&D"]

    @Test(arguments: [
        "{{t.a}}", "{{{t.a}}}", "{{ t.a }}", "{{{ t.a\n}}}", "{{t.a}}}", "{{{t.a}}", "{{{{t.a}}}}", "{{t.b}} {{t.c}}",
        "{{t.zz}}", "{{t.}}", "{{t.A}}", "{t.a}", "{{#t.a}}x{{/t.a}}", "{{t.d_2}}{{t.a}}ñ{{{t.d_2}}}", "{{", "{{t", "{{t.a",
        "{{t.a}", "", "é{{ \t t.a \r }}é",
    ])
    func sameAsTheRegex(_ text: String) {
        #expect(Theme.inliningStrings(text, strings) == Self.byRegex(text, strings))
    }

    @Test func sameAsTheRegexOnEveryTemplateOfTheTheme() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let dir = root + "/site-templates"
        var strings: [String: String] = [:]
        for line in try String(contentsOfFile: dir + "/locales/es.toml", encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { strings[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces.union(["\""])) }
        }
        var checked = 0
        for file in try #require(FileManager.default.enumerator(atPath: dir)).compactMap({ $0 as? String }) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            #expect(Theme.inliningStrings(text, strings) == Self.byRegex(text, strings), "\(file)")
            checked += 1
        }
        #expect(checked > 15)
        #expect(Theme.inliningStrings("{{t.login_title}}", strings) != "{{t.login_title}}")
    }
}
