import BelenusTestSupport
import Foundation
import Testing

/// What the Content-Security-Policy allows is all the pages use: scripts only as files, no inline
/// script, event handler, style attribute or `javascript:` link, on any page the build writes or
/// the gateway answers, with markup in every field a person types.
@Suite struct PagePolicyTests {
    static let payload = "<script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\" style=\"color:red\">x</a>"

    /// Tags that would need 'unsafe-inline' (or worse) under the site's policy.
    static func inlineCode(in html: String) -> [String] {
        let patterns = [
            "<script(?![^>]*\\ssrc=\"/assets/[a-z.]+\")[^>]*>",  // a script that is not one of the site's files
            "<[a-zA-Z][^>]*\\son[a-z]+\\s*=",                    // an event handler attribute
            "<[a-zA-Z][^>]*\\sstyle\\s*=",                       // a style attribute
            "(href|src|action)\\s*=\\s*\"?\\s*javascript:",       // a javascript: URL
        ]
        return patterns.flatMap { pattern -> [String] in
            let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { Range($0.range, in: html).map { String(html[$0]) } }
        }
    }

    @Test func theCheckFindsEachKindOfInlineCode() {
        #expect(Self.inlineCode(in: "<p>\(Self.payload)</p>").count == 4)
        #expect(Self.inlineCode(in: "<script src=\"/assets/belenus.js\" defer></script><p>onerror=1 style=x javascript:</p>").isEmpty)
    }

    @Test func noPageCarriesInlineCodeEvenWithMarkupInEveryField() throws {
        let site = try GatewaySite.make()
        try "---\ntitle: \"Artículo \(Self.payload.replacingOccurrences(of: "\"", with: "\\\""))\"\nproduct: Nómina\n---\n\(Self.payload)\n\n[enlace](javascript:alert(4))\n"
            .write(toFile: site.root + "/content/kb/artículo.md", atomically: true, encoding: .utf8)
        let n = try site.openTicket(as: site.ana, title: "Título \(Self.payload)", body: "Cuerpo \(Self.payload)\n\n[enlace](javascript:alert(5))",
                                    files: [("file", "\(Self.payload).txt", Array("x".utf8))])
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", Self.payload)]).status == 303)
        #expect(try site.run("POST", "/tickets/\(n)/close", as: site.tech, fields: [("body", Self.payload)]).status == 303)
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)

        var pages = try FileTree.files(under: site.root + "/output").filter { $0.key.hasSuffix(".html") }
            .mapValues { String(decoding: $0, as: UTF8.self) }
        #expect(pages.keys.contains("public/kb/articulo/index.html") && pages.keys.contains("private/tickets/\(n)/index.html"), "\(pages.keys.sorted())")
        #expect(pages.values.contains { $0.contains("alert(2)") }, "the payload reached no page: the check saw nothing")
        for (path, answer) in [("ticket as client", try site.run("GET", "/tickets/\(n)", as: site.ana)),
                               ("ticket as tech", try site.run("GET", "/tickets/\(n)", as: site.tech)),
                               ("list", try site.run("GET", "/tickets", as: site.tech)),
                               ("search", try site.run("GET", "/kb/search", query: "q=alert"))] {
            #expect(answer.status == 200, "\(path)")
            pages["gateway: \(path)"] = answer.body
        }
        for (path, html) in pages {
            #expect(Self.inlineCode(in: html).isEmpty, "\(path): \(Self.inlineCode(in: html))")
        }
    }
}
