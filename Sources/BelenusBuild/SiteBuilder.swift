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
        self.theme = try Theme.load(from: paths.templates, language: config.language, timezone: config.timezone)
        self.store = store
    }

    /// With the config and theme already loaded (the gateway's, once per request).
    public init(paths: SitePaths, store: Store, config: SiteConfig, theme: Theme) {
        self.paths = paths
        self.config = config
        self.theme = theme
        self.store = store
    }

    /// Publishes the site (or the public part of it): every page whose inputs changed, or all
    /// of them with `full`.
    /// - Parameters:
    ///   - progress: called now and then with (done, to do).
    public func build(
        full: Bool = false, scope: Scope = .all, now: Date = Date(), progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> BuildReport {
        try paths.prepareWritableFolders()
        _ = try AttachmentFolder(paths: paths).removeUnreferenced { try store.attachmentHashes() }
        // A new `due_soon_hours` applies to the open tickets from the next whole build (their
        // pages follow: the due-soon instant is in their fingerprint). Not in a request's
        // regeneration: at a million tickets that is seconds of one person's wait.
        if scope == .all { try store.layOutDueSoon(policy: config.slaPolicy) }
        let report =
            if scope == .all, try comparesEveryPage(full: full, now: now) {
                // Requests are told first and no longer wait for the lock (`BuildLock`): at a
                // million tickets this build holds it for minutes.
                try BuildLock.holdingForWholeBuild(paths) { try publishLocked(scope, full: full, now: now, told: true, progress: progress) }
            } else {
                try BuildLock.holding(paths) { try publishLocked(scope, full: full, now: now, progress: progress) }
            }
        // A whole build's last writes stay in the WAL (up to `Store.checkpointPages` frames: 28
        // after a 10k build), and every CGI process after it, the first connection of its own,
        // reads them all back: about 2 µs a frame of each page view. Cut here, at one fsync a
        // build that wrote, unless another process is busy with the database: waiting for its
        // readers (a backup's) would hold the gateway's writes back meanwhile.
        if scope == .all, report.rendered + report.removed > 0 { try? store.checkpoint(waiting: false) }
        return report
    }

    /// Which pages a publication looks at.
    public enum Scope: Sendable, Equatable {
        /// The whole site.
        case all
        /// `output/public/` without ticket pages: after a KB change.
        case publicOnly
        /// The pages of these tickets: what a request's change touched.
        case tickets([TicketNumber])
        /// The technicians' dashboard.
        case dashboard
    }

    /// The page graph of `scope` through the publisher; the caller holds the build lock, and
    /// with `told` has told requests that this is a whole build.
    func publishLocked(
        _ scope: Scope, full: Bool = false, now: Date, told: Bool = false, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> BuildReport {
        let publisher = Publisher(output: paths.output, store: store)
        switch scope {
        case .tickets(let numbers):
            // The store's notes of these tickets stay for the next build, which finds their pages
            // current by fingerprint: forgetting them here was one more synced write a request.
            let jobs = try ticketJobs(numbers, now: now)
            return try publisher.publish(jobs, records: try store.pageRecords(paths: jobs.map(\.path)), full: full)
        case .dashboard:
            let job = try dashboardJob(now: now)
            return try publisher.publish([job], records: try store.pageRecords(paths: [job.path]), full: full)
        case .all, .publicOnly:
            // What a killed writer left: it held this lock, so none is being written now.
            AtomicFile.removeLeftovers(in: paths.output + "/" + AtomicFile.temporaryFolderName)
            let rendering = scope == .all ? try ticketRendering(now: now) : nil
            if let rendering, !full, let report = try publishChanged(now: now, rendering: rendering, progress: progress) { return report }
            // Every page compared: requests do not wait for it (`BuildLock`), at a million
            // tickets it holds the lock for minutes.
            guard scope == .all, !told else {
                return try publishGraph(scope, full: full, now: now, rendering: rendering, progress: progress)
            }
            return try BuildLock.sayingWholeBuild(paths) {
                try publishGraph(scope, full: full, now: now, rendering: rendering, progress: progress)
            }
        }
    }

    /// The whole graph of `.all` or `.publicOnly`, every page's fingerprint compared with its
    /// record; the caller holds the build lock.
    private func publishGraph(
        _ scope: Scope, full: Bool, now: Date, rendering: (pages: TicketPages, staffBase: String)?,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> BuildReport {
        let publisher = Publisher(output: paths.output, store: store)
        // The whole graph. Taken before anything is read: the content's stamp, the notes of
        // changed tickets (forgotten once their pages are written), the ticket pages' base.
        let content = contentStamp()
        let whole = try rendering.map { (mark: try store.changedTicketsMark(), rendering: $0) }
        // The database's part of the graph is read while the articles are parsed on every core
        // (it was 15 % of a full build's time with one core idle).
        let ((articles, pages), (ticketSide, records)) = try Self.concurrently {
            (try SiteContent.articles(paths), try SiteContent.pages(paths))
        } and: {
            (
                try whole.map { try ticketJobs(nil, rendering: $0.rendering) + [try dashboardJob(now: now)] } ?? [],
                try store.pageRecords()
            )
        }
        let jobs = publicJobs(articles: articles, pages: pages) + ticketSide
        let live = Set(jobs.map(\.path))
        let gone = records.keys.filter { path in
            !live.contains(path)
                && (scope == .all || (path.hasPrefix("public/") && !path.hasPrefix("public/t/")))
        }
        // The articles' search index is refilled while the pages are written: alone after
        // them, it kept one core idle (0.085 s of a 1.1 s build at 10k with 2,000 articles).
        let (report, _) = try Self.concurrently {
            try publisher.publish(jobs, records: records, full: full, gone: gone, progress: progress)
        } and: {
            try updateSearchIndex(articles)
        }
        if let whole {
            try store.forgetChangedTickets(upTo: whole.mark)
            try saveBuildState(now: now, staffBase: whole.rendering.staffBase, content: content)
        } else {
            try store.updateBuildState { $0.content = content }
        }
        return report
    }

    /// `a` on this thread while `b` runs on another; both results, or the first error.
    /// (The store and the theme are used from several threads in every build; the group's wait
    /// orders the write of `b`'s result before its read.)
    static func concurrently<A, B>(_ a: () throws -> A, and b: @escaping () throws -> B) throws -> (A, B) {
        let handoff = Handoff(b)
        let other = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: other) { handoff.result = Result { try handoff.work() } }
        let first = Result { try a() }
        other.wait()
        return (try first.get(), try handoff.result!.get())
    }

    /// Refills the FTS5 index when the set of articles changed.
    private func updateSearchIndex(_ articles: [KBArticle]) throws {
        let published = articles.filter { !$0.draft }
        let fingerprint = StableHash.hex(published.map { "\($0.slug)\u{0}\($0.contentHash)" }.joined(separator: "\u{1}"))
        guard try store.buildState().kbIndex != fingerprint else { return }
        try store.replaceKBIndex(
            published.map { KBIndexEntry(slug: $0.slug.rawValue, title: $0.title, product: $0.product, body: $0.body) })
        try store.updateBuildState { $0.kbIndex = fingerprint }
    }
}

/// Work for another thread and its result (see `SiteBuilder.concurrently`).
private final class Handoff<B>: @unchecked Sendable {
    let work: () throws -> B
    var result: Result<B, Error>?
    init(_ work: @escaping () throws -> B) { self.work = work }
}
