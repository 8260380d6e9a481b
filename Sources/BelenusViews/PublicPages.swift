import BelenusCore
import BelenusFiles
import BelenusInput
import BelenusTemplates
import Foundation

/// The public pages: home, KB, article, content pages, login, feed, sitemap.
public struct PublicPages: Sendable {
    let config: SiteConfig
    let theme: Theme
    /// Published articles (no drafts), by product then title.
    public let articles: [KBArticle]
    let pages: [ContentPage]

    public init(config: SiteConfig, theme: Theme, articles: [KBArticle], pages: [ContentPage]) {
        self.config = config
        self.theme = theme
        self.articles = articles.filter { !$0.draft }.sorted { ($0.product, $0.title, $0.slug) < ($1.product, $1.title, $1.slug) }
        self.pages = pages
    }

    var globals: PageGlobals { PageGlobals(config) }

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

    private func row(_ a: KBArticle) -> ArticleRow {
        ArticleRow(slug: a.slug.rawValue, title: a.title, product: a.product, updatedDisplay: a.updated.map(theme.display) ?? "")
    }

    /// Fingerprint of everything the KB lists show.
    public var listFingerprint: String {
        StableHash.hex(articles.map { "\($0.slug)\u{0}\($0.contentHash)" }.joined(separator: "\u{1}"))
    }

    public func home() -> [UInt8] {
        let welcome = pages.first { $0.slug.rawValue == "home" }
        return theme.render(
            theme.pages.home,
            HomePage(
                welcome: welcome.map { Markdown.html($0.body) } ?? .empty,
                products: byProduct.map {
                    ProductGroup(name: $0.name, anchor: Self.anchor($0.name), count: $0.articles.count, articles: [], more: false)
                },
                latest: newestFirst.prefix(8).map(row)), globals: globals)
    }

    public func kbIndex(perProduct: Int = 10) -> [UInt8] {
        theme.render(theme.pages.kbIndex, KBIndexPage(total: articles.count, products: byProduct.map { group in
            let newest = group.articles.sorted { ($0.updated ?? .distantPast) > ($1.updated ?? .distantPast) }
            return ProductGroup(name: group.name, anchor: Self.anchor(group.name), count: group.articles.count,
                                articles: newest.prefix(perProduct).map(row), more: group.articles.count > perProduct)
        }), globals: globals)
    }

    public func kbAll() -> [UInt8] {
        theme.render(theme.pages.kbAll, KBIndexPage(total: articles.count, products: byProduct.map {
            ProductGroup(name: $0.name, anchor: Self.anchor($0.name), count: $0.articles.count, articles: $0.articles.map(row), more: false)
        }), globals: globals)
    }

    public func article(_ a: KBArticle) -> [UInt8] {
        theme.render(theme.pages.article, KBArticlePage(article: .init(
            title: a.title, product: a.product, anchor: Self.anchor(a.product), tags: a.tags,
            updatedDisplay: a.updated.map(theme.display) ?? "", updatedISO: a.updated.map(Timestamp.iso) ?? "",
            body: Markdown.html(a.body))), globals: globals)
    }

    public func page(_ p: ContentPage) -> [UInt8] {
        theme.render(theme.pages.page, ContentPageView(page: .init(title: p.title, body: Markdown.html(p.body))), globals: globals)
    }

    public func login() -> [UInt8] { theme.render(theme.pages.login, LoginPage(login: "", error: ""), globals: globals) }

    /// Atom (RFC 4287): the 20 newest articles, HTML content escaped as text.
    public func feed() -> [UInt8] {
        let entries = newestFirst.prefix(20)
        let epoch = Date(timeIntervalSince1970: 0)
        return theme.render(theme.pages.feed, FeedPage(
            updated: Timestamp.iso(entries.first?.updated ?? epoch),
            entries: entries.map {
                FeedPage.Entry(title: $0.title, slug: $0.slug.rawValue, product: $0.product,
                               updated: Timestamp.iso($0.updated ?? epoch), body: Markdown.html($0.body))
            }), globals: globals)
    }

    public func sitemap() -> [UInt8] {
        var urls = ["/", "/kb/", "/kb/all/"].map { SitemapPage.URL(path: $0, lastmod: "") }
        urls += pages.filter { $0.slug.rawValue != "home" }.map { SitemapPage.URL(path: "/\($0.slug)/", lastmod: "") }
        urls += articles.map { SitemapPage.URL(path: "/kb/\($0.slug)/", lastmod: $0.updated.map(Timestamp.iso) ?? "") }
        return theme.render(theme.pages.sitemap, SitemapPage(urls: urls), globals: globals)
    }

    public func robots() -> [UInt8] {
        Array("""
        User-agent: *
        Disallow: \(config.gatewayPath)/
        Disallow: /t/
        Sitemap: \(config.baseURL)/sitemap.xml

        """.utf8)
    }
}
