import BelenusCore
import BelenusFiles
@testable import BelenusSite
import Foundation
import Testing

/// The gateway parses a template when it first renders it (with the partials and parents it
/// names); a build parses them all first and refuses a broken one.
@Suite struct TemplateLoadingTests {
    @Test func partialsAndParentsAreFoundByName() {
        let text = "{{< layout }}{{$main}}{{>partials/sla}} {{ > partials/status }}{{#x}}{{/x}}{{{raw}}}{{/main}}{{/layout}}"
        #expect(Templates.namedTemplates(in: text) == ["layout", "partials/sla", "partials/status"])
    }

    @Test func theGatewayRendersWhatItNeedsWithoutParsingTheRest() throws {
        let site = try SiteFixture()
        try Data("<p>\n{{#abierto}}sin cerrar\n".utf8).write(to: URL(fileURLWithPath: "\(site.paths.templates)/page.mustache"))
        #expect(throws: SiteError.self) { try Theme.load(from: site.paths.templates, language: "es") }
        // Lazily: loads, and the login page (layout and partials) renders in full.
        let theme = try Theme.load(from: site.paths.templates, language: "es", parsingAll: false)
        let login = theme.render("login", ["site": ["title": "Soporte"]])
        #expect(login.contains("<form") && login.hasSuffix("</html>\n"))
        // The broken template gives its error, escaped, naming the file and line.
        let broken = theme.render("page", ["title": "x"])
        #expect(broken.contains("page.mustache:") && !broken.contains("<p>"))
    }

    @Test func bothWaysRenderTheSameBytes() throws {
        let site = try SiteFixture()
        let eager = try Theme.load(from: site.paths.templates, language: "es")
        let lazy = try Theme.load(from: site.paths.templates, language: "es", parsingAll: false)
        let context: [String: Any] = ["site": ["title": "Soporte", "gateway": "/cgi-bin/belenus"], "error": "Clave incorrecta"]
        for name in ["login", "error", "search", "ticket-new"] {
            #expect(lazy.render(name, context) == eager.render(name, context), "\(name)")
        }
    }
}
