import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusViews
import Foundation
import Testing

/// A site's copy of the theme across an upgrade (`belenus theme update`): what the webmaster
/// edited is never lost, what they did not edit follows the release.
@Suite struct ThemeDefaultsTests {
    let site = Scratch.path("theme-site")

    /// A release: the checkout's theme with some files changed, one added.
    func release(changing changes: [String: String]) -> [(path: String, bytes: [UInt8])] {
        var files = SiteInit.theme(.folder(SiteInit.defaultSource))
        for (path, text) in changes {
            files.removeAll { $0.path == path }
            files.append((path, Array(text.utf8)))
        }
        return files
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: site + "/site-templates/" + path, encoding: .utf8) }
    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: site + "/site-templates/" + path, atomically: true, encoding: .utf8)
    }

    @Test func anUpgradeKeepsEditsTakesTheRestAndLeavesAMergeForBoth() throws {
        _ = try SiteInit.create(at: site)
        defer { try? FileManager.default.removeItem(atPath: site) }
        let original = SiteInit.theme(.folder(SiteInit.defaultSource))
        let text = { (path: String) in String(decoding: original.first { $0.path == path }!.bytes, as: UTF8.self) }
        // A fresh site is up to date, and its record lists every file (sha256sum's format).
        let fresh = try ThemeDefaults(templates: site + "/site-templates", defaults: original).status()
        #expect(fresh.allSatisfy { $0.outcome == .current } && fresh.count == original.count)
        let record = try read(ThemeDefaults.recordName)
        #expect(record.contains("\(SHA256.hex(Array(text("layout.mustache").utf8)))  layout.mustache\n"))

        // The webmaster edits three files, one of them the Spanish strings.
        try write("home.mustache", text("home.mustache") + "<!-- nuestro -->\n")
        try write("page.mustache", text("page.mustache") + "<!-- nuestro -->\n")
        try write("locales/es.toml", text("locales/es.toml").replacingOccurrences(of: "\nkb_title = ", with: "\n# nuestro\nkb_title = "))
        // The release changes one edited file and one unedited, adds strings and a template.
        let newStrings = "nuevo_texto = \"Algo nuevo\"\nnew_line = \"Línea\"\n"
        let next = release(changing: [
            "page.mustache": text("page.mustache") + "<!-- release -->\n",
            "layout.mustache": text("layout.mustache") + "<!-- release -->\n",
            "locales/es.toml": text("locales/es.toml") + newStrings,
            "admin-new.mustache": "{{> admin-nav}}\n",
        ])
        let defaults = ThemeDefaults(templates: site + "/site-templates", defaults: next)
        let planned = try defaults.status()
        #expect(try read("layout.mustache") == text("layout.mustache"), "status changes nothing")
        let changes = try defaults.update()
        #expect(planned.map(\.outcome) == changes.map(\.outcome))
        let outcome = Dictionary(uniqueKeysWithValues: changes.map { ($0.path, $0.outcome) })
        #expect(outcome["layout.mustache"] == .updated)
        #expect(try read("layout.mustache").hasSuffix("<!-- release -->\n"))
        #expect(outcome["home.mustache"] == .kept)
        #expect(try read("home.mustache").hasSuffix("<!-- nuestro -->\n"))
        #expect(outcome["page.mustache"] == .conflict)
        #expect(try read("page.mustache").hasSuffix("<!-- nuestro -->\n"))
        #expect(try read("page.mustache.new").hasSuffix("<!-- release -->\n"))
        #expect(outcome["admin-new.mustache"] == .added)
        #expect(try read("admin-new.mustache") == "{{> admin-nav}}\n")
        #expect(outcome["locales/es.toml"] == .stringsAdded)
        #expect(changes.first { $0.path == "locales/es.toml" }?.keys == ["new_line", "nuevo_texto"])
        let strings = try read("locales/es.toml")
        #expect(strings.contains("# nuestro\nkb_title = ") && strings.contains("nuevo_texto = \"Algo nuevo\"") && strings.contains("Línea"))
        // The theme still loads, with the site's strings and the release's new ones.
        let theme = try Theme.load(from: site + "/site-templates", language: "es")
        #expect(theme.strings["nuevo_texto"] == "Algo nuevo")

        // Again with the same release: nothing more to do, no second merge file.
        try FileManager.default.removeItem(atPath: site + "/site-templates/page.mustache.new")
        let again = try defaults.update()
        #expect(again.allSatisfy { $0.outcome == .current || $0.outcome == .kept }, "\(again.filter { $0.outcome != .current })")
        #expect(!FileManager.default.fileExists(atPath: site + "/site-templates/page.mustache.new"))
    }

    /// A site made before the record: a file that differs from the release may have been edited,
    /// so it is kept with the release's beside it; the rest is taken.
    @Test func aSiteWithoutARecordLosesNothing() throws {
        _ = try SiteInit.create(at: site)
        defer { try? FileManager.default.removeItem(atPath: site) }
        try FileManager.default.removeItem(atPath: site + "/site-templates/" + ThemeDefaults.recordName)
        try write("home.mustache", "<p>nuestro</p>\n")
        try FileManager.default.removeItem(atPath: site + "/site-templates/sitemap.mustache")
        let changes = try ThemeDefaults(templates: site + "/site-templates", defaults: release(changing: [:])).update()
        let outcome = Dictionary(uniqueKeysWithValues: changes.map { ($0.path, $0.outcome) })
        #expect(outcome["home.mustache"] == .conflict && outcome["sitemap.mustache"] == .added && outcome["layout.mustache"] == .current)
        #expect(try read("home.mustache") == "<p>nuestro</p>\n")
        #expect(FileManager.default.fileExists(atPath: site + "/site-templates/home.mustache.new"))
        #expect(FileManager.default.fileExists(atPath: site + "/site-templates/" + ThemeDefaults.recordName))
    }
}
