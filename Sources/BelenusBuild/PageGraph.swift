import BelenusCore
import BelenusInput
import BelenusStore
import BelenusFiles
import BelenusViews
import Foundation

/// One page to produce: where, from what (its fingerprint), and how.
struct PageJob: Sendable {
    let path: String
    let fingerprint: String
    /// Set for ticket pages, whose details are fetched in batches just before rendering.
    let ticket: TicketNumber?
    let render: @Sendable (TicketDetails?) -> [UInt8]
}

/// The page graph: which pages exist and what each depends on. A page's fingerprint is made of
/// everything it is rendered from, so a page whose fingerprint did not move need not be rendered.
extension SiteBuilder {
    /// Part of every page's fingerprint. Bump it in any change to this target's Swift code that
    /// changes what pages look like, so that sites built by the older binary render again
    /// (templates, strings, config and data are fingerprinted by themselves).
    static let renderVersion = "9"

    /// Part of every page's fingerprint: the generator's version, the theme and the config.
    var baseFingerprint: String { Self.renderVersion + theme.fingerprint + StableHash.hex(config.fingerprint) }

    /// The public pages: home, the knowledge base, its feed and sitemap, the content pages, login
    /// and the theme's assets.
    func publicJobs(articles: [KBArticle], pages: [ContentPage]) -> [PageJob] {
        let base = baseFingerprint
        let publicPages = PublicPages(config: config, theme: theme, articles: articles, pages: pages)
        let kb = base + publicPages.listFingerprint + StableHash.hex(pages.map(\.contentHash).joined())
        func page(_ path: String, _ fingerprint: String, _ render: @escaping @Sendable () -> [UInt8]) -> PageJob {
            PageJob(path: path, fingerprint: fingerprint, ticket: nil, render: { _ in render() })
        }
        var jobs: [PageJob] = [
            page("public/index.html", kb, publicPages.home),
            page("public/kb/index.html", kb, { publicPages.kbIndex() }),
            page("public/kb/all/index.html", kb, publicPages.kbAll),
            page("public/kb/feed.xml", kb, publicPages.feed),
            page("public/sitemap.xml", kb, publicPages.sitemap),
            page("public/robots.txt", base, publicPages.robots),
            page("public/login/index.html", base, publicPages.login),
        ]
        for article in publicPages.articles {
            jobs.append(page("public/kb/\(article.slug)/index.html", base + article.contentHash, { publicPages.article(article) }))
        }
        for p in pages where p.slug.rawValue != "home" {
            jobs.append(page("public/\(p.slug)/index.html", base + p.contentHash, { publicPages.page(p) }))
        }
        for asset in theme.assets {
            let bytes = asset.bytes
            jobs.append(PageJob(path: "public/assets/\(asset.path)", fingerprint: base, ticket: nil, render: { _ in bytes }))
            // Browsers ask for /favicon.ico whatever the page links: the theme's icon is there too.
            if asset.path == "favicon.ico" {
                jobs.append(PageJob(path: "public/favicon.ico", fingerprint: base, ticket: nil, render: { _ in bytes }))
            }
        }
        return jobs
    }

    /// The pages of every ticket, or of the tickets `numbers` (a request's change): each
    /// ticket's page and, with `ticket_pages = "link"`, its copy at a secret URL.
    func ticketJobs(_ numbers: [TicketNumber]? = nil, now: Date) throws -> [PageJob] {
        try ticketJobs(numbers, rendering: try ticketRendering(now: now))
    }

    func ticketJobs(_ numbers: [TicketNumber]?, rendering: (pages: TicketPages, staffBase: String)) throws -> [PageJob] {
        let (ticketPages, staffBase) = rendering
        let tickets = try store.ticketSummaries(numbers)
        var tokens: [TicketNumber: String] = [:]
        if config.ticketPages == .link {
            if numbers == nil { try store.assignMissingPageTokens() }
            tokens = try store.pageTokens(numbers)
        }
        var jobs: [PageJob] = []
        for ticket in tickets {
            let fingerprint = staffBase + ticketPages.fingerprint(ticket)
            jobs.append(PageJob(path: TicketPages.ticketPath(ticket.number), fingerprint: fingerprint, ticket: ticket.number,
                                render: { details in details.map { ticketPages.privatePage($0) } ?? [] }))
            if let token = tokens[ticket.number] {
                jobs.append(PageJob(path: TicketPages.linkPath(token), fingerprint: fingerprint + "|link", ticket: ticket.number,
                                    render: { details in details.map(ticketPages.linkPage) ?? [] }))
            }
        }
        return jobs
    }

    /// What ticket pages are rendered with, and the fingerprint part they share (the technicians
    /// offered in the forms).
    func ticketRendering(now: Date) throws -> (pages: TicketPages, staffBase: String) {
        let technicians = try store.activeStaff()
        let ticketPages = TicketPages(config: config, theme: theme, technicians: technicians, now: now)
        let staffBase = baseFingerprint + StableHash.hex(technicians.map { "\($0.login)=\($0.name)" }.joined(separator: ","))
        return (ticketPages, staffBase)
    }

    /// The technicians' dashboard: its counts move with time and with every change.
    func dashboardJob(now: Date) throws -> PageJob {
        let firstWeek = Dashboard.firstWeek(now: now, clock: theme.clock)
        let dashboard = Dashboard(
            openCounts: try store.openCounts(now: now),
            weekly: try store.weeklyCounts(from: firstWeek, weeks: Dashboard.weeks), firstWeek: firstWeek, names: try store.staffNames())
        let (config, theme) = (config, theme)
        return PageJob(path: Dashboard.path, fingerprint: baseFingerprint + dashboard.fingerprint, ticket: nil,
                       render: { _ in dashboard.page(config: config, theme: theme) })
    }
}
