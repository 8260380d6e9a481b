import BelenusCore
import BelenusStore
import BelenusFiles
import BelenusViews
import Foundation

extension SiteBuilder {
    /// Renders again the pages that a change to `numbers` touched: each ticket's page (and its
    /// copy at a secret URL with `ticket_pages = "link"`). Under the build lock, from the
    /// database as it is once the lock is held; fingerprints as `build` computes them, so a later
    /// build finds these pages up to date.
    @discardableResult
    public func regeneratePages(touchedBy numbers: [TicketNumber], now: Date = Date()) throws -> BuildReport {
        try BuildLock.holding(paths) {
            let (ticketPages, staffBase) = try ticketRendering(now: now)
            let details = try store.ticketDetails(numbers)
            var pages: [(path: String, fingerprint: String, render: () -> [UInt8])] = details.map { d in
                (TicketPages.ticketPath(d.ticket.number), staffBase + ticketPages.fingerprint(d.ticket), { ticketPages.ticketPage(d) })
            }
            if config.ticketPages == .link {
                let tokens = try store.pageTokens(numbers)
                for d in details {
                    guard let token = tokens[d.ticket.number] else { continue }
                    pages.append((TicketPages.linkPath(token), staffBase + ticketPages.fingerprint(d.ticket) + "|link", { ticketPages.linkPage(d) }))
                }
            }
            let records = try store.pageRecords(paths: pages.map(\.path))
            // As in a build: a page whose inputs did not change is not rendered.
            let todo = pages.filter { page in
                records[page.path]?.fingerprint != page.fingerprint || !FileManager.default.fileExists(atPath: paths.output + "/" + page.path)
            }
            var report = BuildReport(pages: pages.count, rendered: todo.count)
            var saved: [PageRecord] = []
            for page in todo {
                let (record, wrote) = try Self.writePage(page.render(), path: page.path, fingerprint: page.fingerprint,
                                                         output: paths.output, recorded: records[page.path])
                if wrote { report.written += 1 }
                saved.append(record)
            }
            try store.savePageRecords(saved)
            return report
        }
    }

    /// Ticket `number`'s page with a refused form shown again (the gateway's answer, not a
    /// file): nil when there is no such ticket.
    public func ticketPage(_ number: TicketNumber, refused: RefusedForm, csrf: String, now: Date = Date()) throws -> [UInt8]? {
        let (ticketPages, _) = try ticketRendering(now: now)
        return try store.ticketDetails([number]).first.map { ticketPages.ticketPage($0, refused: refused, csrf: csrf) }
    }

    /// Renders the public pages again (after an article is published): only those whose inputs
    /// changed are written, and the search index follows.
    @discardableResult
    public func regeneratePublicPages(now: Date = Date()) throws -> BuildReport {
        try build(scope: .publicOnly, now: now)
    }

    /// `belenus ticket relink N`: a new secret URL for the ticket; the old page is deleted.
    @discardableResult
    public func relink(_ number: TicketNumber, now: Date = Date()) throws -> String {
        let (old, new) = try store.relink(number)
        if let old {
            let path = TicketPages.linkPath(old)
            try BuildLock.holding(paths) {
                unlink(paths.output + "/" + path)
                rmdir(paths.output + "/" + (path as NSString).deletingLastPathComponent)
                try store.savePageRecords([], removing: [path])
            }
        }
        if config.ticketPages == .link { try regeneratePages(touchedBy: [number], now: now) }
        return new
    }

    /// The output path of ticket `number`'s page.
    public static func ticketPagePath(_ number: TicketNumber) -> String { TicketPages.ticketPath(number) }
}
