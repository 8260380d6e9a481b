import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation
import Testing

@Test func aSecondBuildWithNoChangeRendersNothing() throws {
    let site = try SiteFixture()
    _ = try site.openTicket()
    let first = try site.build()
    #expect(first.rendered == first.pages)
    #expect(first.written == first.pages)
    let second = try site.build()
    #expect(second.rendered == 0)
    #expect(second.written == 0)
    let full = try site.build(full: true)
    #expect(full.rendered == full.pages)
    #expect(full.written == 0)  // same bytes: not rewritten
}

@Test func aChangeRerendersItsTicketAndTheDashboardOnly() throws {
    let site = try SiteFixture()
    let one = try site.openTicket()
    _ = try site.openTicket(title: "Otro")
    _ = try site.build()
    let comment = try one.comment("¿Alguna novedad?", by: site.ana, at: Date(), clock: .wallClock)
    try site.store.record(comment, replacingRevision: one.revision)
    let commented = comment.ticket
    // Ticket 1's page only.
    #expect(try site.build().rendered == 1)
    #expect(try site.output("private/tickets/1/index.html").contains("¿Alguna novedad?"))
    // Closed: its page and the dashboard (one open ticket fewer). The lists are the gateway's,
    // rendered from SQL per request: no file to keep current.
    try site.store.record(try commented.close(solution: "Actualizar a 2025.1.", by: site.tech, at: Date(), clock: .wallClock), replacingRevision: commented.revision)
    let report = try site.build()
    #expect(report.rendered == 2, "\(report)")
    #expect(!FileManager.default.fileExists(atPath: site.paths.output + "/private/lists"))
}

@Test func pagesWhoseSLAStateChangedAreRenderedAgain() throws {
    let site = try SiteFixture()
    let created = Date(timeIntervalSince1970: 1_800_000_000)
    _ = try site.openTicket(at: created)
    _ = try site.build(now: created)
    #expect(try site.output("private/tickets/1/index.html").contains("sla-on_time"))
    #expect(try site.build(now: created + 3600).rendered == 0)
    let report = try site.build(now: created + 100 * 3600)
    #expect(report.rendered == 2)  // the ticket's page and the dashboard
    #expect(try site.output("private/tickets/1/index.html").contains("sla-overdue"))
    #expect(try site.output("private/dashboard/index.html").contains("Retrasado</a></th><td class=\"num\">1</td>"))
}

@Test func theTicketPageShowsEverythingAndTheFormsForItsState() throws {
    let site = try SiteFixture()
    let ticket = try site.openTicket()
    try site.store.record(try ticket.close(solution: "Actualice la **tabla**.", by: site.tech, at: Date(), clock: .wallClock), replacingRevision: ticket.revision)
    _ = try site.build()
    let page = try site.output("private/tickets/1/index.html")
    #expect(page.contains("Cerrado por el técnico (✓)"))
    #expect(page.contains("Actualice la <strong>tabla</strong>."))
    #expect(page.contains("Ana Pérez"))
    #expect(page.contains("/tickets/1/reopen"))
    #expect(page.contains("/tickets/1/approve"))
    #expect(!page.contains("/tickets/1/close\""))  // closed: no close form
    #expect(page.contains("<!--belenus:client-->") && page.contains("<!--/belenus:staff-->"))
    #expect(page.contains("name=\"csrf\""))
}

@Test func theSameDataGivesTheSameBytes() throws {
    let site = try SiteFixture()
    _ = try site.openTicket(at: Date(timeIntervalSince1970: 1_800_000_000))
    let now = Date(timeIntervalSince1970: 1_800_000_100)
    _ = try site.build(now: now)
    let before = try site.allOutput()
    try FileManager.default.removeItem(atPath: site.paths.output)
    _ = try site.build(full: true, now: now)
    #expect(try site.allOutput() == before)
}

@Test func aRemovedArticleLosesItsPage() throws {
    let site = try SiteFixture()
    try site.writeArticle("temporal.md", "---\ntitle: Temporal\nproduct: Nómina\n---\nTexto.")
    _ = try site.build()
    #expect(FileManager.default.fileExists(atPath: "\(site.paths.output)/public/kb/temporal/index.html"))
    try FileManager.default.removeItem(atPath: "\(site.paths.contentKB)/temporal.md")
    let report = try site.build()
    #expect(report.removed == 1)
    #expect(!FileManager.default.fileExists(atPath: "\(site.paths.output)/public/kb/temporal/index.html"))
}

@Test func draftsArePublishedNowhere() throws {
    let site = try SiteFixture()
    try site.writeArticle("borrador.md", "---\ntitle: Borrador secreto\ndraft: true\n---\nTexto.")
    _ = try site.build()
    #expect(try site.allOutput().values.allSatisfy { !$0.contains("Borrador secreto") })
}

@Test func aBrokenFrontMatterNamesTheFileAndLine() throws {
    let site = try SiteFixture()
    try site.writeArticle("roto.md", "---\ntitle: Bien\nproduct: [sin cerrar\n---\nTexto.")
    #expect {
        try site.build()
    } throws: { error in
        let text = "\(error)"
        return text.contains("roto.md:") && text.contains("front matter")
    }
    try site.writeArticle("roto.md", "sin front matter")
    #expect { try site.build() } throws: { "\($0)".contains("roto.md:1: front matter") }
}

@Test func aTemplateErrorNamesTheTemplateAndLine() throws {
    let site = try SiteFixture()
    try Data("<p>\n{{#abierto}}sin cerrar\n".utf8).write(to: URL(fileURLWithPath: "\(site.paths.templates)/page.mustache"))
    #expect { try site.build() } throws: { "\($0)".contains("page.mustache:") }
}

@Test func noTemporaryFileIsLeftBehind() throws {
    let site = try SiteFixture()
    _ = try site.openTicket()
    _ = try site.build()
    #expect(try site.allOutput().keys.allSatisfy { !$0.hasSuffix(".tmp") })
}

/// A whole build that wrote leaves the WAL empty: every CGI process after it, the first
/// connection of its own, reads back all that is in it.
@Test func aBuildThatWroteLeavesTheWALEmpty() throws {
    let site = try SiteFixture()
    for i in 0..<30 { _ = try site.openTicket(title: "Ticket \(i)") }
    func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: site.paths.database + "-wal"))?[.size] as? Int) ?? 0 }
    #expect(walBytes() > 0)
    #expect(try site.build().written > 0)
    #expect(walBytes() == 0)
}

@Test func theKBSearchIndexFollowsTheArticles() throws {
    let site = try SiteFixture()
    try site.writeArticle("timbrado.md", "---\ntitle: Timbrado de Nómina\nproduct: Nómina\n---\nCómo timbrar.")
    _ = try site.build()
    #expect(try site.store.searchKB("nomina").map(\.slug) == ["timbrado"])
}

@Test func theEnglishLocaleTranslatesTheUI() throws {
    let site = try SiteFixture()
    try Data("language = \"en\"\n".utf8).write(to: URL(fileURLWithPath: site.paths.config))
    _ = try site.build()
    let home = try site.output("public/index.html")
    #expect(home.contains("Knowledge Base"))
    #expect(home.contains("<html lang=\"en\">"))
}

@Test func emptyValuesOpenNoSectionOnListsAndTicketPages() throws {
    let site = try SiteFixture()
    let ticket = try site.openTicket()
    try site.store.record(try ticket.close(solution: "Hecho", by: site.tech, at: Date(), clock: .wallClock), replacingRevision: ticket.revision)
    _ = try site.build()
    let closed = try #require(try site.store.ticket(ticket.number))
    let views = try GatewayViews(paths: site.paths)
    let list = String(decoding: views.ticketList(TicketPage(total: 1, tickets: [closed]), pageNumber: 1, pageSize: 50, staff: true, title: "Tickets",
                                                 filters: [:], choices: .init(orgs: [], people: [], technicians: [], products: []),
                                                 names: [:], query: "", csrf: "", now: Date()), as: UTF8.self)
    #expect(list.contains("/tickets/1\">"))
    #expect(!list.contains("href=\"\""))  // one page: no newer or older link
    #expect(!list.contains("class=\"sla"))  // closed: no SLA badge
    #expect(!(try site.output("private/tickets/1/index.html")).contains("class=\"sla"))
}

/// The technicians' `<option>`s are marked by the template from the model's flags (no page
/// patched as text): the assigned one in the assign form, the responsible one in the update form.
@Test func theTechnicianListsMarkTheAssignedAndTheResponsible() throws {
    let site = try SiteFixture()
    try expectTheTechnicianSelects(site)
}

/// A ticket's page, built: the responsible selected in the update form, nobody in the assign form.
func expectTheTechnicianSelects(_ site: SiteFixture) throws {
    let ticket = try site.openTicket()
    _ = try site.build()
    let html = try site.output("private/tickets/\(ticket.number)/index.html")
    #expect(html.contains("<select id=\"u-resp\" name=\"responsible\"><option value=\"jgarcia\" selected>J. García</option></select>"))
    #expect(html.contains("<select id=\"a-tech\" name=\"assigned\"><option value=\"jgarcia\">J. García</option></select>"))
}

/// A theme copied before the loop writes `{{{assign_options}}}` and `{{{responsible_options}}}`:
/// it still links, and its pages list the same options.
@Test func aThemeCopiedBeforeTheLoopStillListsTheTechnicians() throws {
    let site = try SiteFixture()
    let page = site.paths.templates + "/ticket.mustache"
    let text = try String(contentsOfFile: page, encoding: .utf8)
    let old = text
        .replacingOccurrences(of: "{{#technicians}}<option value=\"{{login}}\"{{#assigned}} selected{{/assigned}}>{{name}}</option>{{/technicians}}",
                              with: "{{{assign_options}}}")
        .replacingOccurrences(of: "{{#technicians}}<option value=\"{{login}}\"{{#responsible}} selected{{/responsible}}>{{name}}</option>{{/technicians}}",
                              with: "{{{responsible_options}}}")
    try #require(old.components(separatedBy: "_options}}}").count == 3)
    try old.write(toFile: page, atomically: true, encoding: .utf8)
    try expectTheTechnicianSelects(site)
}

/// The gateway's regeneration renders what a build would: a change regenerated in between
/// leaves the next build nothing to do but the dashboard.
@Test func regenerationAndBuildAgree() throws {
    let site = try SiteFixture()
    let at = Date(timeIntervalSince1970: 1_800_000_000)
    var tickets: [Ticket] = []
    for i in 1...3 { tickets.append(try site.openTicket(title: "Ticket \(i)", at: at)) }
    _ = try site.build(now: at)
    let change = try tickets[1].close(solution: "Listo.", by: site.tech, at: at, clock: .wallClock)
    try site.store.record(change, replacingRevision: tickets[1].revision)
    let builder = try SiteBuilder(paths: site.paths, store: site.store)
    let regenerated = try #require(try builder.regeneratePages(touchedBy: [TicketNumber(2)], now: at))
    #expect(regenerated.rendered == 1, "\(regenerated)")
    #expect(try site.output("private/tickets/2/index.html").contains("Cerrado por el técnico"))
    let report = try site.build(now: at)
    #expect(report.rendered == 1, "\(report)")  // the dashboard only: regeneration does not touch it
}

/// A whole build says so while it renders (`var/.whole-build.lock`: requests do not wait for
/// it); a build of what changed does not, and requests wait for its moments.
@Test func onlyAWholeBuildSaysItIsOne() throws {
    let site = try SiteFixture()
    _ = try site.openTicket(title: "Uno", at: Date())
    final class Seen: @unchecked Sendable { var whole: [Bool] = [] }
    let seen = Seen()
    let builder = try SiteBuilder(paths: site.paths, store: site.store)
    let wholeLock = site.paths.var_ + "/.whole-build.lock"
    let probe: @Sendable (Int, Int) -> Void = { _, _ in
        seen.whole.append((try? FileLock.ifFree(wholeLock, .shared, {})) == nil)
    }
    _ = try builder.build(full: true, progress: probe)
    #expect(!seen.whole.isEmpty && seen.whole.allSatisfy { $0 }, "\(seen.whole)")
    #expect(try FileLock.ifFree(wholeLock, .shared, {}) != nil, "and no longer once done")
    _ = try site.openTicket(title: "Dos", at: Date())
    seen.whole = []
    _ = try builder.build(progress: probe)
    #expect(!seen.whole.isEmpty && !seen.whole.contains(true), "\(seen.whole)")
}

/// A whole build tells requests first, while another holds the build lock, and then takes the
/// lock after those already waiting for it: a request that was waiting has the lock (not nil),
/// and one that comes after the telling does not wait at all.
@Test func aWholeBuildTellsRequestsBeforeItTakesTheLock() throws {
    let site = try SiteFixture()
    _ = try site.openTicket(title: "Uno", at: Date())
    let (lockFile, wholeFile) = (site.paths.var_ + "/.build.lock", site.paths.var_ + "/.whole-build.lock")
    let other = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)  // another holder of the lock
    #expect(flock(other, LOCK_EX) == 0)
    final class Box: @unchecked Sendable { var waited: Bool?; var built: BuildReport? }
    let box = Box()
    let (paths, store) = (site.paths, site.store)
    let waiting = Thread { box.waited = (try? BuildLock.holdingUnlessWholeBuild(paths) { true }) ?? nil }
    waiting.start()
    usleep(200_000)  // waiting in flock before the build begins
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { box.built = try? SiteBuilder(paths: paths, store: store).build(full: true) }
    var told = false
    for _ in 0..<500 where !told {
        told = (try? FileLock.ifFree(wholeFile, .shared, {})) == nil
        if !told { usleep(10_000) }
    }
    #expect(told, "the build said it is whole while another held the lock")
    final class Answer: @unchecked Sendable { var ranBody: Bool? }
    let newcomer = Answer(), quick = DispatchGroup()
    DispatchQueue.global().async(group: quick) { newcomer.ranBody = (try? BuildLock.holdingUnlessWholeBuild(paths) { true }) != nil }
    #expect(quick.wait(timeout: .now() + 2) == .success, "a new request does not wait")
    close(other)
    #expect(quick.wait(timeout: .now() + 30) == .success)
    #expect(newcomer.ranBody == false, "and is told no")
    #expect(group.wait(timeout: .now() + 30) == .success)
    while box.waited == nil && !waiting.isFinished { usleep(10_000) }
    #expect(box.waited == true, "the request that was waiting had the lock")
    #expect(box.built?.rendered ?? 0 > 0)
}

/// A build that finds itself whole only once it holds the build lock does not wait to say so
/// while another whole build says so: that one waits for this one's lock.
@Test func aBuildFoundWholeDoesNotWaitForAnotherThatSaidSo() throws {
    let site = try SiteFixture()
    let paths = site.paths
    let other = open(paths.var_ + "/.whole-build.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
    #expect(flock(other, LOCK_EX) == 0)
    defer { close(other) }
    final class Box: @unchecked Sendable { var ran = false }
    let box = Box(), group = DispatchGroup()
    DispatchQueue.global().async(group: group) { box.ran = (try? BuildLock.sayingWholeBuild(paths) { true }) ?? false }
    #expect(group.wait(timeout: .now() + 5) == .success && box.ran)
}

/// SPEC §6 via issue 15: the theme's icon at /favicon.ico, linked from every page.
@Test func theThemesIconIsAtTheRootAndLinkedFromEveryPage() throws {
    let site = try SiteFixture()
    _ = try site.openTicket()
    _ = try site.build()
    let icon = try #require(FileManager.default.contents(atPath: site.paths.output + "/public/favicon.ico"))
    #expect(Array(icon) == Array(try #require(FileManager.default.contents(atPath: site.paths.templates + "/assets/favicon.ico"))))
    #expect(Array(icon.prefix(4)) == [0, 0, 1, 0])  // an ICO file
    for page in ["public/index.html", "public/login/index.html", "private/tickets/1/index.html"] {
        #expect(try site.output(page).contains("<link rel=\"icon\" href=\"/favicon.ico\""), "\(page)")
    }
}

/// After a whole build, a build reads only the tickets the store noted as changed (and those the
/// clock moved): a page record it was not told about is not even looked at, until a whole build
/// (`--full`, or an output folder that is not the one the last build wrote) compares them all.
@Test func aBuildLooksOnlyAtTheTicketsChangedSinceTheLast() throws {
    let site = try SiteFixture()
    let created = Date(timeIntervalSince1970: 1_800_000_000)
    for i in 1...3 { _ = try site.openTicket(title: "Ticket \(i)", at: created) }
    _ = try site.build(now: created)
    // Ticket 2's record says its page is of something else; nothing noted it as changed.
    try site.store.savePageRecords([PageRecord(path: SiteBuilder.ticketPagePath(TicketNumber(2)), fingerprint: "otro", contentHash: "")])
    #expect(try site.build(now: created + 60).rendered == 0)
    // A change by plain SQL is noted by the store's triggers all the same.
    try site.store.write { db in try db.execute(sql: "UPDATE tickets SET revision = revision + 1, title = 'Cambiado' WHERE number = 3") }
    let changed = try site.build(now: created + 120)
    #expect(changed.rendered == 1 && changed.pages > 3, "\(changed)")
    #expect(try site.output("private/tickets/3/index.html").contains("Cambiado"))
    #expect(try site.build(now: created + 180).rendered == 0)
    // The output folder emptied (the token of the build that wrote it gone): every page again.
    for name in try FileManager.default.contentsOfDirectory(atPath: site.paths.output) {
        try FileManager.default.removeItem(atPath: site.paths.output + "/" + name)
    }
    let whole = try site.build(now: created + 240)
    #expect(whole.written == whole.pages, "\(whole)")
    #expect(FileManager.default.fileExists(atPath: site.paths.output + "/private/tickets/2/index.html"))
    #expect(try site.build(now: created + 300).rendered == 0)
}

/// A content file touched is seen by its stamp (size, time, inode): the public pages are compared
/// again, and only the article that changed is rendered.
@Test func aBuildSeesAnArticleChangedSinceTheLast() throws {
    let site = try SiteFixture()
    try site.writeArticle("nuevo.md", "---\ntitle: Nuevo\nproduct: Nómina\n---\nUno.")
    _ = try site.build()
    #expect(try site.build().rendered == 0)
    try site.writeArticle("nuevo.md", "---\ntitle: Nuevo\nproduct: Nómina\n---\nDos, más largo.")
    let report = try site.build()
    #expect(report.rendered > 0 && report.rendered < report.pages, "\(report)")
    #expect(try site.output("public/kb/nuevo/index.html").contains("Dos, más largo."))
}
