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

    /// Who is signed in, on the pages the gateway renders for them (SPEC §6: their name, *Mi
    /// cuenta* and, for an administrator, *Administración*); nil on generated pages.
    struct Viewer: TemplateModel {
        var name: String
        var admin: Bool
        static let templateFields = TemplateFields<Viewer> {
            $0.text("name") { $0.name }
            $0.flag("admin") { $0.admin }
        }
    }

    var site: Site
    var csrf: String
    var viewer: Viewer?

    init(site: Site, csrf: String, viewer: Viewer? = nil) {
        self.site = site
        self.csrf = csrf
        self.viewer = viewer
    }

    init(_ config: SiteConfig, csrf: String = "", viewer: Viewer? = nil) {
        site = Site(title: config.title, baseURL: config.baseURL, gateway: config.gatewayPath, lang: config.language)
        self.csrf = csrf
        self.viewer = viewer
    }

    static let templateFields = TemplateFields<PageGlobals> {
        $0.object("site", \.site)
        $0.text("csrf") { $0.csrf }
        $0.object("viewer", \.viewer)
    }
}
