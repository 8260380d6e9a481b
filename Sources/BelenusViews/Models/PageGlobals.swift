import BelenusFiles
import BelenusTemplates

/// What every page shares, beneath its own model: the site (`site.title`, `site.gateway`…) and
/// the session's CSRF token for the logout form (empty in generated files: the page script
/// fills it in).
struct PageGlobals: TemplateModel {
    struct Site: TemplateModel {
        var title: String
        var baseURL: String
        var gateway: String
        var lang: String
        static let templateFields = TemplateFields<Site> {
            $0.text("title") { $0.title }
            $0.text("base_url") { $0.baseURL }
            $0.text("gateway") { $0.gateway }
            $0.text("lang") { $0.lang }
        }
    }

    var site: Site
    var csrf: String

    init(site: Site, csrf: String) {
        self.site = site
        self.csrf = csrf
    }

    init(_ config: SiteConfig, csrf: String = "") {
        site = Site(title: config.title, baseURL: config.baseURL, gateway: config.gatewayPath, lang: config.language)
        self.csrf = csrf
    }

    static let templateFields = TemplateFields<PageGlobals> {
        $0.object("site") { $0.site }
        $0.text("csrf") { $0.csrf }
    }
}
