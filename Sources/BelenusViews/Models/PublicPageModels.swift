import BelenusTemplates

/// An article in a list: home, KB index, KB "see all".
struct ArticleRow: TemplateModel {
    var slug: String
    var title: String
    var product: String
    var updatedDisplay: String
    static let templateFields = TemplateFields<ArticleRow> {
        $0.text("slug") { $0.slug }
        $0.text("title") { $0.title }
        $0.text("product") { $0.product }
        $0.text("updated_display") { $0.updatedDisplay }
    }
}

/// A product and its articles (the KB index shows the newest few and a "more" link).
struct ProductGroup: TemplateModel {
    var name: String
    var anchor: String
    var count: Int
    var articles: [ArticleRow]
    var more: Bool
    static let templateFields = TemplateFields<ProductGroup> {
        $0.text("name") { $0.name }
        $0.text("anchor") { $0.anchor }
        $0.number("count") { $0.count }
        $0.list("articles") { $0.articles }
        $0.flag("more") { $0.more }
    }
}

/// `home.mustache`: the welcome text, the products and the newest articles.
struct HomePage: TemplateModel {
    var welcome: HTML
    var products: [ProductGroup]
    var latest: [ArticleRow]
    static let templateFields = TemplateFields<HomePage> {
        $0.html("welcome_html") { $0.welcome }
        $0.list("products") { $0.products }
        $0.list("latest") { $0.latest }
    }
}

/// `kb-index.mustache` and `kb-all.mustache`: the articles by product.
struct KBIndexPage: TemplateModel {
    var total: Int
    var products: [ProductGroup]
    static let templateFields = TemplateFields<KBIndexPage> {
        $0.number("total") { $0.total }
        $0.list("products") { $0.products }
    }
}

/// `kb-article.mustache`.
struct KBArticlePage: TemplateModel {
    struct Article: TemplateModel {
        var title: String
        var product: String
        var anchor: String
        var tags: [String]
        var updatedDisplay: String
        var updatedISO: String
        var body: HTML
        static let templateFields = TemplateFields<Article> {
            $0.text("title") { $0.title }
            $0.text("product") { $0.product }
            $0.text("anchor") { $0.anchor }
            $0.texts("tags") { $0.tags }
            $0.text("updated_display") { $0.updatedDisplay }
            $0.text("updated_iso") { $0.updatedISO }
            $0.html("body_html") { $0.body }
        }
    }

    var article: Article
    static let templateFields = TemplateFields<KBArticlePage> { $0.object("article", \.article) }
}

/// `page.mustache`: a page of `content/pages/`.
struct ContentPageView: TemplateModel {
    struct Page: TemplateModel {
        var title: String
        var body: HTML
        static let templateFields = TemplateFields<Page> {
            $0.text("title") { $0.title }
            $0.html("body_html") { $0.body }
        }
    }

    var page: Page
    static let templateFields = TemplateFields<ContentPageView> { $0.object("page", \.page) }
}

/// `login.mustache`: the form, with what was typed and the error of a failed attempt.
struct LoginPage: TemplateModel {
    var login: String
    var error: String
    static let templateFields = TemplateFields<LoginPage> {
        $0.text("login") { $0.login }
        $0.text("error") { $0.error }
    }
}

/// `feed.xml`: Atom entries, their HTML escaped as text.
struct FeedPage: TemplateModel {
    struct Entry: TemplateModel {
        var title: String
        var slug: String
        var product: String
        var updated: String
        var body: HTML
        static let templateFields = TemplateFields<Entry> {
            $0.text("title") { $0.title }
            $0.text("slug") { $0.slug }
            $0.text("product") { $0.product }
            $0.text("updated") { $0.updated }
            $0.html("body_html") { $0.body }
        }
    }

    var updated: String
    var entries: [Entry]
    static let templateFields = TemplateFields<FeedPage> {
        $0.text("updated") { $0.updated }
        $0.list("entries") { $0.entries }
    }
}

/// `sitemap.xml`.
struct SitemapPage: TemplateModel {
    struct URL: TemplateModel {
        var path: String
        var lastmod: String
        static let templateFields = TemplateFields<URL> {
            $0.text("path") { $0.path }
            $0.text("lastmod") { $0.lastmod }
        }
    }

    var urls: [URL]
    static let templateFields = TemplateFields<SitemapPage> { $0.list("urls") { $0.urls } }
}

/// `search.mustache`: KB search results, the match marked in each snippet.
struct SearchPage: TemplateModel {
    struct Hit: TemplateModel {
        var slug: String
        var title: String
        var product: String
        var snippet: HTML
        static let templateFields = TemplateFields<Hit> {
            $0.text("slug") { $0.slug }
            $0.text("title") { $0.title }
            $0.text("product") { $0.product }
            $0.html("snippet_html") { $0.snippet }
        }
    }

    var query: String
    var hits: [Hit]
    var countLabel: String
    static let templateFields = TemplateFields<SearchPage> {
        $0.text("query") { $0.query }
        $0.list("hits") { $0.hits }
        $0.text("count_label") { $0.countLabel }
    }
}

/// `error.mustache`.
struct ErrorPage: TemplateModel {
    var title: String
    var message: String
    var back: String
    var login: Bool
    var fieldLabel: String
    static let templateFields = TemplateFields<ErrorPage> {
        $0.text("title") { $0.title }
        $0.text("message") { $0.message }
        $0.text("back") { $0.back }
        $0.flag("login") { $0.login }
        $0.text("field_label") { $0.fieldLabel }
    }
}
