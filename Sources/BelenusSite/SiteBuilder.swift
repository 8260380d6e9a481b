import BelenusCore
import BelenusInput
import BelenusStore
import Dispatch
import BelenusFiles
import BelenusViews
import Foundation

/// What a build did, for the one line `belenus build` prints.
public struct BuildReport: Sendable, Equatable {
    /// Pages the site has.
    public var pages = 0
    /// Pages whose inputs changed and were rendered again.
    public var rendered = 0
    /// Rendered pages whose bytes differed from the file, and so were written.
    public var written = 0
    /// Files of pages that no longer exist, deleted.
    public var removed = 0
}

/// The generator: finds which pages exist and what each is made of, renders those whose inputs
/// changed (all with `full`), in parallel on every core, and writes those whose bytes changed.
public struct SiteBuilder {
    public let paths: SitePaths
    public let config: SiteConfig
    let theme: Theme
    let store: Store

    public init(paths: SitePaths, store: Store) throws {
        self.paths = paths
        self.config = try SiteConfig.load(path: paths.config)
        self.theme = try Theme.load(from: paths.templates, language: config.language)
        self.store = store
    }

    /// With the config and theme the gateway already loaded for its views (once per request).
    public init(paths: SitePaths, store: Store, views: GatewayViews) {
        self.paths = paths
        self.config = views.config
        self.theme = views.theme
        self.store = store
    }

    /// Part of every page's fingerprint. Bump it in any change to this target's Swift code that
    /// changes what pages look like, so that sites built by the older binary render again
    /// (templates, strings, config and data are fingerprinted by themselves).
    static let renderVersion = "7"

    /// One page to produce: where, from what, and how.
    struct PageJob: Sendable {
        let path: String
        let fingerprint: String
        /// Set for ticket pages, whose details are fetched in batches just before rendering.
        let ticket: TicketNumber?
        let render: @Sendable (TicketDetails?) -> [UInt8]
    }

    /// - Parameters:
    ///   - progress: called now and then with (done, to do).
    public func build(
        full: Bool = false, scope: Scope = .all, now: Date = Date(), progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> BuildReport {
        try paths.prepareWritableFolders()
        _ = try AttachmentFolder(paths: paths).removeUnreferenced { try store.attachmentHashes() }
        return try BuildLock.holding(paths) { try buildLocked(full: full, scope: scope, now: now, progress: progress) }
    }

    /// Which pages a build looks at.
    public enum Scope: Sendable {
        case all
        /// `output/public/` without ticket pages: after a KB change.
        case publicOnly
    }

    private func buildLocked(full: Bool, scope: Scope, now: Date, progress: @escaping @Sendable (Int, Int) -> Void) throws -> BuildReport {
        // What a killed writer left: it held this lock, so none is being written now.
        AtomicFile.removeLeftovers(in: paths.output + "/" + AtomicFile.temporaryFolderName)
        let articles = try SiteContent.articles(paths)
        var jobs = try pageJobs(articles: articles, pages: try SiteContent.pages(paths), now: now, tickets: scope == .all)
        if scope == .publicOnly { jobs = jobs.filter { $0.path.hasPrefix("public/") && !$0.path.hasPrefix("public/t/") } }
        let records = try store.pageRecords()
        let fm = FileManager.default
        let todo = jobs.filter { job in
            full || records[job.path]?.fingerprint != job.fingerprint || !fm.fileExists(atPath: paths.output + "/" + job.path)
        }
        var report = BuildReport(pages: jobs.count, rendered: todo.count)
        let results = ResultCollector(total: todo.count, progress: progress)

        try renderPipelined(todo, records: records, into: results)
        if let error = results.firstError { throw error }

        let live = Set(jobs.map(\.path))
        let gone = records.keys.filter { path in
            !live.contains(path) && !path.hasPrefix("index:")
                && (scope == .all || (path.hasPrefix("public/") && !path.hasPrefix("public/t/")))
        }
        for path in gone {
            unlink(paths.output + "/" + path)
            if path.hasPrefix("public/t/") { rmdir(paths.output + "/" + (path as NSString).deletingLastPathComponent) }
        }
        report.removed = gone.count
        report.written = results.written
        try store.savePageRecords(results.records, removing: gone)
        try updateSearchIndex(articles, records: records)
        return report
    }

    /// Renders and writes `jobs` on every core while this thread reads the next tickets from the
    /// database: one work queue, no barrier between batches. At most `readAhead` batches of 256
    /// tickets are read and not yet written, which bounds the memory of a large build.
    private func renderPipelined(_ jobs: [PageJob], records: [String: PageRecord], into results: ResultCollector) throws {
        let output = paths.output
        let queue = DispatchQueue(label: "belenus.render", qos: .userInitiated, attributes: .concurrent)
        let pending = DispatchGroup()
        let readAhead = DispatchSemaphore(value: 4)
        func dispatch(_ work: [(PageJob, TicketDetails?)]) {
            let batch = DispatchGroup()
            for (job, details) in work {
                queue.async(group: batch) {
                    do {
                        let (record, wrote) = try Self.writePage(job.render(details), path: job.path, fingerprint: job.fingerprint,
                                                                 output: output, recorded: records[job.path])
                        results.add(record, wrote: wrote)
                    } catch {
                        results.fail(error)
                    }
                }
            }
            pending.enter()
            batch.notify(queue: queue) {
                readAhead.signal()
                pending.leave()
            }
        }
        defer { pending.wait() }
        let (ticketJobs, otherJobs) = (jobs.filter { $0.ticket != nil }, jobs.filter { $0.ticket == nil })
        readAhead.wait()
        dispatch(otherJobs.map { ($0, nil) })
        for start in stride(from: 0, to: ticketJobs.count, by: 256) {
            let batch = Array(ticketJobs[start..<min(start + 256, ticketJobs.count)])
            readAhead.wait()
            let details = Dictionary(uniqueKeysWithValues: try store.ticketDetails(batch.compactMap(\.ticket)).map { ($0.ticket.number, $0) })
            dispatch(batch.map { ($0, $0.ticket.flatMap { details[$0] }) })
        }
    }

    /// Writes a rendered page to `output/path` unless the file there holds these bytes already
    /// (by the hash `recorded` for it); returns the record to save and whether it wrote.
    static func writePage(
        _ bytes: [UInt8], path: String, fingerprint: String, output: String, recorded: PageRecord?
    ) throws -> (record: PageRecord, wrote: Bool) {
        let hash = StableHash.hex(bytes)
        let target = output + "/" + path
        let wrote = recorded?.contentHash != hash || !FileManager.default.fileExists(atPath: target)
        if wrote {
            try AtomicFile.write(bytes, to: target, temporaryFolder: output + "/" + AtomicFile.temporaryFolderName)
            CrashPoint.reach("site.page-written")
        }
        return (PageRecord(path: path, fingerprint: fingerprint, contentHash: hash), wrote)
    }

    /// Every page of the site with its fingerprint.
    func pageJobs(articles: [KBArticle], pages: [ContentPage], now: Date, tickets includeTickets: Bool = true) throws -> [PageJob] {
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
        }

        guard includeTickets else { return jobs }
        let (ticketPages, staffBase) = try ticketRendering(now: now)
        let tickets = try store.ticketSummaries()
        var tokens: [TicketNumber: String] = [:]
        if config.ticketPages == .link {
            try store.assignMissingPageTokens()
            tokens = try store.pageTokens()
        }
        for ticket in tickets {
            jobs.append(PageJob(
                path: TicketPages.ticketPath(ticket.number), fingerprint: staffBase + ticketPages.fingerprint(ticket),
                ticket: ticket.number, render: { details in details.map { ticketPages.ticketPage($0) } ?? [] }))
            if let token = tokens[ticket.number] {
                jobs.append(PageJob(
                    path: TicketPages.linkPath(token), fingerprint: staffBase + ticketPages.fingerprint(ticket) + "|link",
                    ticket: ticket.number, render: { details in details.map(ticketPages.linkPage) ?? [] }))
            }
        }
        jobs.append(try dashboardJob(now: now))
        return jobs
    }

    /// Part of every page's fingerprint: the generator's version, the theme and the config.
    var baseFingerprint: String { Self.renderVersion + theme.fingerprint + StableHash.hex("\(config)") }

    /// What ticket pages are rendered with, and the fingerprint part they share (the technicians
    /// offered in the forms).
    func ticketRendering(now: Date) throws -> (pages: TicketPages, staffBase: String) {
        let users = try store.users()
        let technicians = users.filter { $0.role != .client && !$0.disabled }.map { (login: $0.login, name: $0.name) }
        let ticketPages = TicketPages(config: config, theme: theme, technicians: technicians, now: now)
        let staffBase = baseFingerprint + StableHash.hex(technicians.map { "\($0.login)=\($0.name)" }.joined(separator: ","))
        return (ticketPages, staffBase)
    }

    /// Refills the FTS5 index when the set of articles changed.
    private func updateSearchIndex(_ articles: [KBArticle], records: [String: PageRecord]) throws {
        let published = articles.filter { !$0.draft }
        let fingerprint = StableHash.hex(published.map { "\($0.slug)\u{0}\($0.contentHash)" }.joined(separator: "\u{1}"))
        guard records["index:kb"]?.fingerprint != fingerprint else { return }
        try store.replaceKBIndex(published.map { KBIndexEntry(slug: $0.slug.rawValue, title: $0.title, product: $0.product, body: $0.body) })
        try store.savePageRecords([PageRecord(path: "index:kb", fingerprint: fingerprint, contentHash: "")])
    }
}

/// Gathers the workers' results under a lock.
final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var records: [PageRecord] = []
    private(set) var written = 0
    private(set) var firstError: Error?
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void

    init(total: Int, progress: @escaping @Sendable (Int, Int) -> Void) {
        self.total = total
        self.progress = progress
    }

    func add(_ record: PageRecord, wrote: Bool) {
        lock.lock()
        records.append(record)
        if wrote { written += 1 }
        let done = records.count
        lock.unlock()
        if done % 500 == 0 || done == total { progress(done, total) }
    }

    func fail(_ error: Error) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }
}
