import BelenusTestSupport
import Foundation
import Testing

/// The README is a front door a newcomer reads in one screen, and every link of the
/// documentation leads somewhere.
@Suite struct DocumentationTests {
    static func read(_ path: String) throws -> String { try String(contentsOfFile: CLI.repoRoot + "/" + path, encoding: .utf8) }

    static var pages: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: CLI.repoRoot + "/docs")) ?? []
        return ["README.md", "CHANGELOG.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_" }
            .map { $0 == " " ? "-" : Character($0) })
    }

    @Test func theReadmeSaysWhatForWhomTryAndTestOnItsFirstScreen() throws {
        let lines = try Self.read("README.md").components(separatedBy: "\n")
        #expect(lines.count < 150, "\(lines.count) lines")
        let screen = lines.prefix(40).joined(separator: "\n")
        for words in ["help desk", "software vendor", "Spanish", "make demo", "make test"] {
            #expect(screen.contains(words), "the first 40 lines do not say \(words)")
        }
        // Nothing a reader cannot follow: the team's tracker and the contract's sections stay in docs/.
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("SPEC §") && text.range(of: #"issue \d"#, options: .regularExpression) == nil)
    }

    @Test(arguments: pages) func everyLinkResolves(_ page: String) throws {
        let text = try Self.read(page)
        let folder = (page as NSString).deletingLastPathComponent
        let links = try Regex(#"\]\(([^)\s]+)\)"#)
        for match in text.matches(of: links) {
            let target = String(match.output[1].substring ?? "")
            guard !target.hasPrefix("http://"), !target.hasPrefix("https://"), !target.hasPrefix("mailto:") else { continue }
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let file = parts[0].isEmpty ? page : (folder.isEmpty ? parts[0] : folder + "/" + parts[0])
            let path = (CLI.repoRoot + "/" + file as NSString).standardizingPath
            #expect(FileManager.default.fileExists(atPath: path), "\(page): \(target) leads nowhere")
            if parts.count == 2, file.hasSuffix(".md"), let linked = try? String(contentsOfFile: path, encoding: .utf8) {
                let anchors = linked.components(separatedBy: "\n").filter { $0.hasPrefix("#") }
                    .map { Self.anchor($0.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)) }
                #expect(anchors.contains(parts[1]), "\(page): \(target): no such heading in \(file)")
            }
        }
    }

    /// The key is `[mail] transport`: no page or message names one that does not exist.
    @Test func noFileNamesAKeyThatDoesNotExist() throws {
        let wrong = "mail_" + "transport"
        var files = Self.pages.map { CLI.repoRoot + "/" + $0 }
        for folder in ["Sources", "site-templates", "Tools"] {
            let root = CLI.repoRoot + "/" + folder
            let names = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            files += names.map { root + "/" + $0 }
        }
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            #expect(!text.contains(wrong), "\(file)")
        }
    }
}
