import BelenusCore
import BelenusStore
import BelenusFiles
import Foundation

extension SiteBuilder {
    /// Renders again the pages that a change to `numbers` touched: each ticket's page and the
    /// list buckets it sits in (the staff's and its company's) if its row there changed; when a
    /// list has gained a bucket, all of that list's buckets, whose pager numbers moved. Under the build lock, from the
    /// database as it is once the lock is held; fingerprints as `build` computes them, so a later
    /// build finds these pages up to date.
    @discardableResult
    public func regeneratePages(touchedBy numbers: [TicketNumber], now: Date = Date()) throws -> BuildReport {
        try BuildLock.holding(paths) {
            let (ticketPages, staffBase) = try ticketRendering(now: now)
            let details = try store.ticketDetails(numbers)
            var pages: [(path: String, fingerprint: String, render: () -> String)] = details.map { d in
                (TicketPages.ticketPath(d.ticket.number), staffBase + ticketPages.fingerprint(d.ticket), { ticketPages.ticketPage(d) })
            }
            if config.ticketPages == .link {
                let tokens = try store.pageTokens(numbers)
                for d in details {
                    guard let token = tokens[d.ticket.number] else { continue }
                    pages.append((TicketPages.linkPath(token), staffBase + ticketPages.fingerprint(d.ticket) + "|link", { ticketPages.linkPage(d) }))
                }
            }
            var orgs: [String?] = [nil]
            for d in details where !orgs.contains(d.ticket.org) { orgs.append(d.ticket.org) }
            var listPaths: [String: (fingerprint: String, render: () -> String)] = [:]
            for org in orgs {
                let list = ticketPages.list(org: org, tickets: [])
                // The staff list is cut by number (found on the primary key), a company's every
                // 50 of its tickets (counted on the `tickets_org` index).
                let buckets = if let org {
                    (try store.listCount(org: org) + TicketPages.pageSize - 1) / TicketPages.pageSize
                } else {
                    TicketPages.staffBucket(of: try store.highestTicketNumber())
                }
                guard buckets > 0 else { continue }
                let newest = TicketPages.listPath(list.key, bucket: buckets)
                var touched = Set<Int>()
                if try store.pageRecords(paths: [newest]).isEmpty {
                    touched = Set(1...buckets)
                } else {
                    for d in details where org == nil || d.ticket.org == org {
                        touched.insert(try org.map { try store.listPosition(of: d.ticket.number, org: $0) / TicketPages.pageSize + 1 }
                                       ?? TicketPages.staffBucket(of: d.ticket.number))
                    }
                }
                for bucket in touched.sorted() {
                    let first = (bucket - 1) * TicketPages.pageSize
                    let rows = ArraySlice(try org.map { try store.listSlice(org: $0, offset: first, limit: TicketPages.pageSize) }
                                          ?? store.tickets(numbered: (first + 1)...(first + TicketPages.pageSize)))
                    let page = buckets - bucket + 1
                    listPaths[TicketPages.listPath(list.key, bucket: bucket)] = (
                        baseFingerprint + ticketPages.bucketFingerprint(rows, page: page, pages: buckets),
                        { ticketPages.listPage(list, rows: rows, page: page, pages: buckets) })
                }
            }
            pages += listPaths.map { ($0.key, $0.value.fingerprint, $0.value.render) }
            let records = try store.pageRecords(paths: pages.map(\.path))
            // As in a build: a page whose inputs did not change (a bucket whose rows look the
            // same) is not rendered.
            let todo = pages.filter { page in
                records[page.path]?.fingerprint != page.fingerprint || !FileManager.default.fileExists(atPath: paths.output + "/" + page.path)
            }
            var report = BuildReport(pages: pages.count, rendered: todo.count)
            var saved: [PageRecord] = []
            for page in todo {
                let (record, wrote) = try Self.writePage(Array(page.render().utf8), path: page.path, fingerprint: page.fingerprint,
                                                         output: paths.output, recorded: records[page.path])
                if wrote { report.written += 1 }
                saved.append(record)
            }
            try store.savePageRecords(saved)
            return report
        }
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
