import BelenusCore
@testable import BelenusInput
import Foundation
import Testing
import Yams

/// `FrontMatter.split` works on bytes; on LF files it must cut exactly where the line-based
/// version it replaced did.
@Suite struct FrontMatterTests {
    static func byLines(_ text: String) -> (yaml: String, body: String)? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map({ $0.trimmingCharacters(in: .whitespaces) }) == "---" else { return nil }
        lines.removeFirst()
        guard let end = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else { return nil }
        return (lines[..<end].joined(separator: "\n"), lines[(end + 1)...].joined(separator: "\n"))
    }

    @Test(arguments: [
        "---\ntitle: A\n---\nCuerpo\n", "---\n---\n", "---\n---", "--- \ntitle: A\n\t---\n\n# T\n\nx\n", "---\na: 1\nb: ---x\n---\nfin",
        "---\ntitle: Ñandú\n---\n---\nmás\n", "---", "---\ntitle: A\n", "sin front matter", "", "\n---\n---\n", "----\n---\n",
    ])
    func cutsWhereTheLineVersionDid(_ text: String) {
        let old = Self.byLines(text)
        let new = try? FrontMatter.split(text, file: "x.md")
        #expect(old?.yaml == new?.yaml && old?.body == new?.body, "\(text.debugDescription)")
    }

    @Test func everyArticleOfTheSampleSiteCutsTheSame() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/content/kb"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".md") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            let new = try FrontMatter.split(text, file: file)
            #expect(Self.byLines(text)?.yaml == new.yaml && Self.byLines(text)?.body == new.body, "\(file)")
        }
    }

    @Test func crlfLinesAreAccepted() throws {
        let (yaml, body) = try FrontMatter.split("---\r\ntitle: A\r\nproduct: Nómina\r\n---\r\nCuerpo\r\n", file: "x.md")
        #expect(yaml == "title: A\r\nproduct: Nómina\r")
        #expect(body == "Cuerpo\r\n")
        #expect(try FrontMatter.parse(yaml, file: "x.md")["product"] as? String == "Nómina")
    }

    @Test func problemsNameLineOne() {
        #expect { try FrontMatter.split("# Sin\n", file: "a.md") } throws: { "\($0)" == "a.md:1: front matter: the file must start with a line '---'" }
        #expect { try FrontMatter.split("---\ntitle: A\n", file: "a.md") } throws: { "\($0)" == "a.md:1: front matter: no closing '---'" }
    }

    /// Composed with Yams' basic resolver and typed by `FrontMatter.typed`, each value is what
    /// composing with its default resolver gave: every kind YAML 1.1 types, text that begins
    /// like one of them, quoted and tagged values, lists.
    @Test(arguments: [
        "yes", "No", "TRUE", "off", "On", "y", "n", "nope", "true story", "0", "-12", "+7", "0b101", "0o17", "017", "0x1F", "1_000",
        "190:20:30", "3.14", "-.5", ".5", "1e3", "1.5e+3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "NULL", "nul", "", "<<",
        "=", "==", "2026-11-29", "2026-1-2 3:04:05.6 -06:00", "2026-11-29T10:00:00Z", "2026 año", "Nómina 2026", "ñandú", "¿sí?",
        "\"true\"", "'12'", "!!str 12", "!!int \"7\"", "[yes, 'no', 3, x, ~]", "[]", "- a\n  - 2\n  - .5",
    ])
    func valuesAreTypedAsTheDefaultResolverTypedThem(_ value: String) throws {
        let yaml = value.hasPrefix("- ") ? "v:\n  " + value.dropFirst(2) : "v: " + value
        let byDefault: Any? = try Yams.compose(yaml: yaml, .default, .default, .utf8).flatMap { node -> Any? in
            guard case .mapping(let mapping) = node, let v = mapping.first?.value else { return nil }
            return v.sequence.map { $0.map(\.any) } ?? v.any
        }
        let fields = try FrontMatter.parse(yaml, file: "a.md")
        #expect(String(describing: fields["v"]) == String(describing: byDefault), "\(yaml)")
        #expect(fields["v"].map { String(describing: type(of: $0)) } == byDefault.map { String(describing: type(of: $0)) }, "\(yaml)")
    }
}
