import BelenusCore
import BelenusInput
import BelenusFiles
import Foundation

/// The contexts of the public pages: home, KB, article, content pages, login, feed, sitemap.
struct PublicPages {
    let config: SiteConfig
    let theme: Theme
    /// Published articles (no drafts), by product then title.
    let articles: [KBArticle]
    let pages: [ContentPage]

    init(config: SiteConfig, theme: Theme, articles: [KBArticle], pages: [ContentPage]) {
        self.config = config
        self.theme = theme
        self.articles = articles.filter { !$0.draft }.sorted { ($0.product, $0.title, $0.slug) < ($1.product, $1.title, $1.slug) }
        self.pages = pages
    }

    var site: [String: Any] { SiteContext.site(config) }

    static func anchor(_ product: String) -> String { Slug(making: product)?.rawValue ?? "producto" }

    private var byProduct: [(name: String, articles: [KBArticle])] {
        var order: [String] = []
        var groups: [String: [KBArticle]] = [:]
        for a in articles {
            if groups[a.product] == nil { order.append(a.product) }
            groups[a.product, default: []].append(a)
        }
        return order.map { ($0, groups[$0]!) }
    }

    private var newestFirst: [KBArticle] {
        articles.sorted { ($0.updated ?? .distantPast, $1.slug) > ($1.updated ?? .distantPast, $0.slug) }
    }

    private func row(_ a: KBArticle) -> [String: Any] {
        ["slug": a.slug.rawValue, "title": a.title, "product": a.product, "updated_display": a.updated.map(theme.display) ?? ""]
    }

    /// Fingerprint of everything the KB lists show.
    var listFingerprint: String {
        FNV1a.hex(articles.map { "\($0.slug)\u{0}\($0.contentHash)" }.joined(separator: "\u{1}"))
    }

    func home() -> String {
        let welcome = pages.first { $0.slug.rawValue == "home" }
        return theme.render("home", [
            "site": site,
            "welcome_html": welcome.map { Markdown.html($0.body) } ?? "",
            "products": byProduct.map { ["name": $0.name, "anchor": Self.anchor($0.name), "count": $0.articles.count] },
            "latest": newestFirst.prefix(8).map(row),
        ])
    }

    func kbIndex(perProduct: Int = 10) -> String {
        theme.render("kb-index", [
            "site": site, "total": articles.count,
            "products": byProduct.map { group -> [String: Any] in
                let newest = group.articles.sorted { ($0.updated ?? .distantPast) > ($1.updated ?? .distantPast) }
                return ["name": group.name, "anchor": Self.anchor(group.name), "count": group.articles.count,
                        "articles": newest.prefix(perProduct).map(row), "more": group.articles.count > perProduct]
            },
        ])
    }

    func kbAll() -> String {
        theme.render("kb-all", [
            "site": site,
            "products": byProduct.map { ["name": $0.name, "anchor": Self.anchor($0.name), "count": $0.articles.count, "articles": $0.articles.map(row)] },
        ])
    }

    func article(_ a: KBArticle) -> String {
        theme.render("kb-article", [
            "site": site,
            "article": [
                "title": a.title, "product": a.product, "anchor": Self.anchor(a.product), "tags": a.tags,
                "updated_display": a.updated.map(theme.display) ?? "", "updated_iso": a.updated.map(Timestamp.iso) ?? "",
                "body_html": Markdown.html(a.body),
            ] as [String: Any],
        ])
    }

    func page(_ p: ContentPage) -> String {
        theme.render("page", ["site": site, "page": ["title": p.title, "body_html": Markdown.html(p.body)]])
    }

    func login() -> String { theme.render("login", ["site": site]) }

    /// Atom (RFC 4287): the 20 newest articles, HTML content escaped as text.
    func feed() -> String {
        let entries = newestFirst.prefix(20)
        let epoch = Date(timeIntervalSince1970: 0)
        return theme.render("feed", [
            "site": site,
            "updated": Timestamp.iso(entries.first?.updated ?? epoch),
            "entries": entries.map {
                ["title": $0.title, "slug": $0.slug.rawValue, "product": $0.product,
                 "updated": Timestamp.iso($0.updated ?? epoch), "body_html": Markdown.html($0.body)]
            },
        ])
    }

    func sitemap() -> String {
        var urls: [[String: Any]] = [["path": "/"], ["path": "/kb/"], ["path": "/kb/all/"]]
        urls += pages.filter { $0.slug.rawValue != "home" }.map { ["path": "/\($0.slug)/"] }
        urls += articles.map { ["path": "/kb/\($0.slug)/", "lastmod": $0.updated.map(Timestamp.iso) ?? ""] }
        return theme.render("sitemap", ["site": site, "urls": urls])
    }

    func robots() -> String {
        """
        User-agent: *
        Disallow: \(config.gatewayPath)/
        Disallow: /t/
        Sitemap: \(config.baseURL)/sitemap.xml

        """
    }
}

/// The `site` object every template sees.
enum SiteContext {
    static func site(_ config: SiteConfig) -> [String: Any] {
        ["title": config.title, "base_url": config.baseURL, "gateway": config.gatewayPath, "lang": config.language]
    }
}
