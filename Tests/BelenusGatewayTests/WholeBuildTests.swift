import BelenusTestSupport
import BelenusCore
import BelenusFiles
import BelenusStore
import Foundation
import Testing

/// A whole build holds the build lock for minutes at a million tickets, longer than a web
/// server waits for a CGI answer. Requests do not wait for it (`BuildLock`): a change is
/// answered with its page marked stale, and views render the page without writing it.
@Suite struct WholeBuildTests {
    /// The site's lock `files` held, as a build holds them (another open file of this process
    /// counts as another holder for `flock`), until `release`.
    final class Held: @unchecked Sendable {
        private var descriptors: [Int32]
        private let lock = NSLock()
        /// Released after `seconds` at the latest: code that waits for the lock fails its
        /// test instead of waiting for ever.
        init(_ site: GatewaySite, _ files: [String], atMost seconds: Double = 15) {
            descriptors = files.map { open(site.root + "/var/" + $0, O_RDWR | O_CREAT | O_CLOEXEC, 0o640) }
            for fd in descriptors { flock(fd, LOCK_EX) }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in self?.release() }
        }
        func release() {
            lock.lock()
            defer { lock.unlock() }
            for fd in descriptors { close(fd) }
            descriptors = []
        }
        deinit { release() }
    }

    @Test func aCommentDuringAWholeBuildIsAnsweredAndItsPageShown() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let page = site.root + "/output/" + "private/tickets/\(n)/index.html"
        let build = Held(site, [".whole-build.lock", ".build.lock"])

        let started = Date()
        let comment = try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", "Sigue fallando mientras se construye.")])
        #expect(comment.status == 303 && Date().timeIntervalSince(started) < 10, "answered without waiting for the build")
        #expect(try site.sqlite("SELECT fingerprint FROM pages WHERE path = 'private/tickets/\(n)/index.html'") == "stale")
        #expect(try !String(contentsOfFile: page, encoding: .utf8).contains("Sigue fallando"), "not written under another's lock")
        // The view renders the page as it is now, without writing it; the dashboard too.
        let view = try site.run("GET", "/tickets/\(n)", as: site.ana)
        #expect(view.status == 200 && view.body.contains("Sigue fallando mientras se construye.") && view.body.contains(site.ana.csrf))
        #expect(try site.run("GET", "/dashboard", as: site.tech).status == 200)

        // The build over, the next view writes the page.
        build.release()
        #expect(try site.run("GET", "/tickets/\(n)", as: site.ana).body.contains("Sigue fallando"))
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("Sigue fallando"))
        #expect(try site.sqlite("SELECT fingerprint FROM pages WHERE path = 'private/tickets/\(n)/index.html'") != "stale")
    }

    /// Another request or a build that is not whole holds the lock for moments: a change waits
    /// for it and writes its page.
    @Test func aCommentWaitsForAnyOtherHolderOfTheLock() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let other = Held(site, [".build.lock"], atMost: 1)
        let started = Date()
        let status = try withExtendedLifetime(other) {
            try site.run("POST", "/tickets/\(n)/comments", as: site.ana, fields: [("body", "Espero mi turno.")]).status
        }
        #expect(status == 303)
        #expect(Date().timeIntervalSince(started) > 0.5, "waited for the lock")
        let page = site.root + "/output/" + "private/tickets/\(n)/index.html"
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("Espero mi turno."))
    }

    /// A whole build that read the records before a request marked a page stale keeps the
    /// mark when it saves its own: it may have rendered the ticket before the change.
    @Test func aStaleMarkOutlivesTheRecordsOfABuildThatReadThemBefore() throws {
        let site = try GatewaySite.make()
        let store = try Store(path: site.root + "/var/belenus.sqlite3")
        let path = "private/tickets/\(try site.openTicket(as: site.ana))/index.html"
        let read = try store.pageRecords(paths: [path])
        try store.markPagesStale([path])
        try store.savePageRecords([PageRecord(path: path, fingerprint: "del build", contentHash: "h")], read: read)
        #expect(try store.pageRecords(paths: [path])[path]?.fingerprint == "stale")
        // A writer that read the mark clears it.
        try store.savePageRecords([PageRecord(path: path, fingerprint: "nuevo", contentHash: "h")], read: try store.pageRecords(paths: [path]))
        #expect(try store.pageRecords(paths: [path])[path]?.fingerprint == "nuevo")
    }
}
