import BelenusTestSupport
import Foundation
import Testing

/// `belenus backup` while the gateway writes, and `belenus restore` into a new site.
@Suite struct BackupTests {
    /// Comments posted by two writers until `stop`; each one answered 303 with when its answer came.
    final class Writers: @unchecked Sendable {
        private let lock = NSLock()
        private var answered: [(body: String, at: Date)] = []
        private var failures: [Int] = []
        private let stop = Flag()

        private let finished = DispatchGroup()

        /// Threads, not tasks: each request blocks on its CGI process.
        func start(_ site: GatewaySite, ticket: Int) {
            for (writer, login) in [site.ana, site.tech].enumerated() {
                finished.enter()
                Thread {
                    var i = 0
                    while !self.stop.isDone {
                        i += 1
                        let body = "escritor \(writer) comentario \(i)"
                        let status = (try? site.run("POST", "/tickets/\(ticket)/comments", as: login, fields: [("body", body)]).status) ?? -1
                        self.record(body, status)
                    }
                    self.finished.leave()
                }.start()
            }
        }

        private func record(_ body: String, _ status: Int) {
            lock.lock()
            if status == 303 { answered.append((body, Date())) } else { failures.append(status) }
            lock.unlock()
        }

        /// Stops the writers; the second call does nothing.
        func stopAndWait() {
            stop.finish()
            finished.wait()
        }

        /// Until `count` comments were answered 303; at most 60 s.
        func wait(untilAnswered count: Int) async throws {
            let deadline = Date().addingTimeInterval(60)
            while result.answered.count < count {
                guard result.failures.isEmpty, Date() < deadline else {
                    throw Failure(text: "\(result.answered.count) of \(count) answered; failures \(result.failures)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        struct Failure: Error, CustomStringConvertible { let text: String; var description: String { text } }

        var result: (answered: [(body: String, at: Date)], failures: [Int]) {
            lock.withLock { (answered, failures) }
        }
    }

    static func tempPath(_ name: String) -> String {
        Scratch.path(name)
    }

    @Test func aBackupTakenWhileCommentsArriveRestoresEveryCommentAnsweredBeforeIt() async throws {
        let site = try GatewaySite.make()
        let ticket = try site.openTicket(as: site.ana, files: [("file", "captura.png", Array("PNG bytes".utf8))])
        let writers = Writers()
        try #require(ticket > 0)
        writers.start(site, ticket: ticket)
        defer { writers.stopAndWait() }
        try await writers.wait(untilAnswered: 6)
        let backupStarted = Date()
        let file = Self.tempPath("respaldo") + ".tar.gz"
        let backup = try CLI.run(["backup", file, "--site", site.root])
        let afterBackup = writers.result.answered.count
        try await writers.wait(untilAnswered: afterBackup + 4)
        writers.stopAndWait()
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.hasPrefix("Backup of 1 ticket and 1 attachment in \(file)"), "\(backup.stdout)")
        let (answered, failures) = writers.result
        #expect(failures.isEmpty, "\(failures)")

        let restored = Self.tempPath("restaurado")
        let restore = try CLI.run(["restore", file, "--site", restored])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try GatewaySite.sqlite(root: restored, "PRAGMA integrity_check") == "ok")
        let comments = Set(try GatewaySite.sqlite(root: restored, "SELECT body FROM events WHERE kind = 'comment'").split(separator: "\n").map(String.init))
        // Everything answered before the backup began is in it; all it holds was answered, and
        // comments came after it, so it is a moment's state, not the end's.
        let before = answered.filter { $0.at < backupStarted }.map(\.body)
        #expect(before.count >= 6 && before.allSatisfy(comments.contains))
        #expect(comments.isSubset(of: Set(answered.map(\.body))))
        #expect(comments.count < answered.count)
        // The revision counts the events the backup holds: the ticket row and its history are of one moment.
        #expect(try GatewaySite.sqlite(root: restored, "SELECT revision FROM tickets") == String(comments.count + 1))
        // The attachment came along, under its hash, and the restored site builds and serves it.
        let sha = try GatewaySite.sqlite(root: restored, "SELECT sha256 FROM attachments")
        #expect(FileManager.default.contents(atPath: "\(restored)/var/attachments/\(sha)") == Data("PNG bytes".utf8))
        let build = try CLI.run(["build", "--site", restored])
        #expect(build.status == 0, "\(build.stderr)")
        let page = try String(contentsOfFile: "\(restored)/output/private/tickets/\(ticket)/index.html", encoding: .utf8)
        #expect(before.allSatisfy(page.contains))
    }

    @Test func aRestoredSiteBuildsTheSamePagesByteForByte() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana, files: [("file", "registro.txt", Array("línea\n".utf8))])
        #expect(try site.run("POST", "/tickets/\(n)/comments", as: site.tech, fields: [("body", "¿Qué versión?")]).status == 303)
        try site.openTicket(as: site.bob, title: "Conciliación duplicada", product: "Bancos")
        let file = Self.tempPath("respaldo") + ".tar"
        #expect(try CLI.run(["backup", file, "--site", site.root]).status == 0)
        // Into a new folder, and into a site with data of its own (built), which the backup's replaces.
        let restored = Self.tempPath("restaurado")
        #expect(try CLI.run(["restore", file, "--site", restored]).status == 0)
        let other = try GatewaySite.make()
        try other.openTicket(as: other.bob, title: "Solo en el otro sitio", product: "Bancos")
        try other.openTicket(as: other.bob, title: "Otro más", product: "Bancos")
        try other.openTicket(as: other.bob, title: "Y otro", product: "Bancos")
        #expect(try CLI.run(["build", "--site", other.root]).status == 0)
        let into = try CLI.run(["restore", file, "--site", other.root])
        #expect(into.status == 0 && into.stdout.hasPrefix("Restored 2 tickets and 1 attachment"), "\(into.stdout)\(into.stderr)")
        for root in [site.root, restored, other.root] {
            let build = try CLI.run(["build", "--full", "--site", root])
            #expect(build.status == 0, "\(build.stderr)")
        }
        let original = try FileTree.files(under: site.root + "/output")
        #expect(original.count > 10)
        #expect(try FileTree.files(under: restored + "/output") == original)
        #expect(try FileTree.files(under: other.root + "/output") == original)
        #expect(try other.sqlite("SELECT COUNT(*) FROM tickets WHERE title LIKE '%otro%'") == "0")
    }

    @Test func restoreRefusesAFolderInUseAndAFileThatIsNoBackup() throws {
        let site = try GatewaySite.make()
        let file = Self.tempPath("respaldo") + ".tar"
        #expect(try CLI.run(["backup", file, "--site", site.root]).status == 0)
        // Not into a folder that holds something other than a site: it is left as it was.
        let folder = Self.tempPath("carpeta")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("mío".utf8).write(to: URL(fileURLWithPath: folder + "/notas.txt"))
        let over = try CLI.run(["restore", file, "--site", folder])
        #expect(over.status != 0 && over.stderr.contains("\(folder): is neither empty nor a site"), "\(over.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notas.txt"])
        // Not a broken backup over a site: its data stays.
        let before = try FileTree.files(under: site.root + "/var")
        let broken = Self.tempPath("roto") + ".tar"
        try SiteBackupTar.make(broken, from: site.root, members: ["belenus.toml"])
        #expect(try CLI.run(["restore", broken, "--site", site.root]).status != 0)
        #expect(try FileTree.files(under: site.root + "/var") == before)
        // Not from a file that is no backup: no folder made.
        let target = Self.tempPath("restaurado")
        let notTar = try CLI.run(["restore", site.root + "/belenus.toml", "--site", target])
        #expect(notTar.status != 0 && notTar.stderr.contains("belenus.toml: tar: "), "\(notTar.stderr)")
        let otherTar = Self.tempPath("otro") + ".tar"
        try SiteBackupTar.make(otherTar, from: site.root, members: ["belenus.toml"])
        let foreign = try CLI.run(["restore", otherTar, "--site", target])
        #expect(foreign.status != 0 && foreign.stderr.contains("is not a Belenus backup"), "\(foreign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
        // And a backup never replaces a file.
        let again = try CLI.run(["backup", file, "--site", site.root])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again.stderr)")
    }
}

/// A tar file that is not a backup.
enum SiteBackupTar {
    static func make(_ file: String, from root: String, members: [String]) throws {
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-cf", file, "-C", root] + members
        try tar.run()
        tar.waitUntilExit()
    }
}
