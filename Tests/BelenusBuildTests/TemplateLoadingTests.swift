import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusTemplates
@testable import BelenusViews
import Foundation
import Testing

/// The gateway links a template when it first renders it; a build links them all first and
/// refuses a broken one, naming its file, line and column.
@Suite struct TemplateLoadingTests {
    @Test func theGatewayRendersWhatItNeedsWhileAnotherTemplateIsBroken() throws {
        let site = try SiteFixture()
        try Data("<p>\n{{#abierto}}sin cerrar\n".utf8).write(to: URL(fileURLWithPath: "\(site.paths.templates)/page.mustache"))
        #expect { try Theme.load(from: site.paths.templates, language: "es") } throws: {
            "\($0)" == "\(site.paths.templates)/page.mustache:2:1: 'abierto' is opened here and never closed"
        }
        // Lazily: loads, and the login page (layout and partials) renders in full.
        let theme = try Theme.load(from: site.paths.templates, language: "es", linkingAll: false)
        let globals = PageGlobals(try SiteConfig.load(path: site.paths.config))
        let login = String(decoding: theme.render(theme.pages.login, LoginPage(login: "ana", error: ""), globals: globals), as: UTF8.self)
        #expect(login.contains("<form") && login.contains("value=\"ana\"") && login.hasSuffix("</html>\n"))
        // The broken template gives its error, escaped, naming the file and line.
        let page = ContentPageView(page: .init(title: "x", body: .empty))
        let broken = String(decoding: theme.render(theme.pages.page, page, globals: globals), as: UTF8.self)
        #expect(broken.contains("page.mustache:2:1") && !broken.contains("<p>"))
    }

    /// A name the page's model does not have is a build error, not an empty string.
    @Test func aMisspelledNameIsALoadError() throws {
        let site = try SiteFixture()
        let file = "\(site.paths.templates)/login.mustache"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "{{login}}", with: "{{logn}}")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        #expect { try Theme.load(from: site.paths.templates, language: "es") } throws: {
            "\($0)".hasPrefix("\(file):8:") && "\($0)".contains("'logn' is not a name here")
        }
    }

    /// What a webmaster does to a theme: a new partial in the layout, a comment, an inverted
    /// section; the build shows it.
    @Test func aThemeEditRenders() throws {
        let site = try SiteFixture()
        let layout = "\(site.paths.templates)/layout.mustache"
        let text = try String(contentsOfFile: layout, encoding: .utf8)
            .replacingOccurrences(of: "<footer>", with: "{{! aviso legal }}{{>partials/aviso}}{{^csrf}}<p class=\"anon\">—</p>{{/csrf}}\n<footer>")
        try Data(text.utf8).write(to: URL(fileURLWithPath: layout))
        try Data("<p class=\"aviso\">{{site.title}}: aviso</p>\n".utf8).write(to: URL(fileURLWithPath: "\(site.paths.templates)/partials/aviso.mustache"))
        let theme = try Theme.load(from: site.paths.templates, language: "es")
        let globals = PageGlobals(try SiteConfig.load(path: site.paths.config))
        let login = String(decoding: theme.render(theme.pages.login, LoginPage(login: "", error: ""), globals: globals), as: UTF8.self)
        #expect(login.contains("<p class=\"aviso\">\(globals.site.title): aviso</p>\n<p class=\"anon\">—</p>\n<footer>"), "\(login)")
        #expect(!login.contains("aviso legal"))
    }
}
