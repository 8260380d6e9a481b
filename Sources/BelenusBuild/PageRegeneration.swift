import BelenusCore
import BelenusStore
import BelenusFiles
import BelenusViews
import Foundation

/// A request's pages. Each waits for the build lock behind other requests and builds, but not
/// for a whole build (`BuildLock.holdingUnlessWholeBuild`): then it returns nil at once, nothing
/// written, and the gateway marks the pages stale and renders what it shows without writing it
/// (`renderedTicketPage`, `renderedDashboard`) until a build or a later request writes them.
extension SiteBuilder {
    /// Renders again the pages that a change to `numbers` touched: each ticket's page (and its
    /// copy at a secret URL with `ticket_pages = "link"`). The build's page graph and publisher
    /// over a smaller scope, under the build lock, from the database as it is once the lock is
    /// held: a later build finds these pages up to date.
    @discardableResult
    public func regeneratePages(touchedBy numbers: [TicketNumber], now: Date = Date()) throws -> BuildReport? {
        try BuildLock.holdingUnlessWholeBuild(paths) { try publishLocked(.tickets(numbers), now: now) }
    }

    /// Brings the dashboard up to date (the gateway calls it before serving it: its counts move
    /// with time, and a comment should not pay for counting every open ticket).
    @discardableResult
    public func regenerateDashboard(now: Date = Date()) throws -> BuildReport? {
        try BuildLock.holdingUnlessWholeBuild(paths) { try publishLocked(.dashboard, now: now) }
    }

    /// Renders the public pages again (after an article is published): only those whose inputs
    /// changed are written, and the search index follows.
    @discardableResult
    public func regeneratePublicPages(now: Date = Date()) throws -> BuildReport? {
        try BuildLock.holdingUnlessWholeBuild(paths) { try publishLocked(.publicOnly, now: now) }
    }

    /// Ticket `number`'s private page as a build would write it, not written; nil for no ticket.
    public func renderedTicketPage(_ number: TicketNumber, now: Date = Date()) throws -> [UInt8]? {
        let path = TicketPages.ticketPath(number)
        guard let job = try ticketJobs([number], now: now).first(where: { $0.path == path }),
              let details = try store.ticketDetails([number]).first
        else { return nil }
        return job.render(details)
    }

    /// The output path of the dashboard.
    public static var dashboardPath: String { Dashboard.path }

    /// The dashboard as a build would write it, not written.
    public func renderedDashboard(now: Date = Date()) throws -> [UInt8] { try dashboardJob(now: now).render(nil) }

    /// `belenus ticket relink N`: a new secret URL for the ticket; the old page is deleted.
    @discardableResult
    public func relink(_ number: TicketNumber, now: Date = Date()) throws -> String {
        let (old, new) = try store.relink(number)
        try BuildLock.holding(paths) {
            if let old {
                _ = try Publisher(output: paths.output, store: store).publish([], records: [:], gone: [TicketPages.linkPath(old)])
            }
            if config.ticketPages == .link { _ = try publishLocked(.tickets([number]), now: now) }
        }
        return new
    }

    /// The output path of ticket `number`'s page.
    public static func ticketPagePath(_ number: TicketNumber) -> String { TicketPages.ticketPath(number) }
}
