import BelenusCore
import BelenusStore
import BelenusTestSupport
import BelenusFiles
import Foundation
import Testing

@Test func initBuildAndRebuildASite() throws {
    let site = try CLI.newSite()
    #expect(FileManager.default.fileExists(atPath: site + "/belenus.toml"))
    #expect(FileManager.default.fileExists(atPath: site + "/var/belenus.sqlite3"))
    let first = try CLI.run(["build", "--site", site])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(FileManager.default.fileExists(atPath: site + "/output/public/index.html"))
    let second = try CLI.run(["build", "--site", site])
    #expect(second.stdout.hasPrefix("Nothing changed"))
}

@Test func adminCommandsManageOrgsProductsAndUsers() throws {
    let site = try CLI.newSite()
    #expect(try CLI.run(["org", "add", "Acme", "--site", site]).status == 0)
    #expect(try CLI.run(["user", "add", "jgarcia", "--name", "J. García", "--email", "jg@soporte.mx", "--role", "tech", "--site", site],
                        stdin: "una clave larga\n").status == 0)
    #expect(try CLI.run(["product", "add", "Nómina", "--versions", "2024.1,2025.1", "--responsible", "jgarcia", "--site", site]).status == 0)
    #expect(try CLI.run(["user", "add", "ana", "--name", "Ana", "--email", "ana@acme.mx", "--role", "client", "--org", "Acme", "--site", site],
                        stdin: "otra clave larga\n").status == 0)
    #expect(try CLI.run(["user", "disable", "ana", "--site", site]).status == 0)
    let list = try CLI.run(["user", "list", "--site", site]).stdout
    #expect(list.contains("ana\tclient\tAcme\tAna\tana@acme.mx\tdisabled"))
    #expect(list.contains("jgarcia\ttech\t-"))
    #expect(!list.contains("una clave larga"))
}

@Test(arguments: [
    (["org", "add", "Acme"], "already exists"),
    (["product", "add", "Nómina"], "already exists"),
    (["user", "add", "x", "--name", "X", "--email", "x@x.mx", "--role", "client", "--org", "Initech"], "unknown org 'Initech'"),
    (["user", "add", "x", "--name", "X", "--email", "x@x.mx", "--role", "boss"], "--role"),
    (["user", "passwd", "nadie"], "no user 'nadie'"),
    (["import", "/nonexistent.jsonl"], "/nonexistent.jsonl"),
])
func badInputIsOneClearLineAndANonZeroExit(_ arguments: [String], _ message: String) throws {
    let site = try CLI.newSite()
    try CLI.run(["org", "add", "Acme", "--site", site])
    try CLI.run(["product", "add", "Nómina", "--site", site])
    let result = try CLI.run(arguments + ["--site", site], stdin: "una clave larga\n")
    #expect(result.status != 0)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(!result.stderr.contains("Fatal error"))
}

/// Thirty tickets of the bench's corpus generator in `site`/corpus/tickets.jsonl.
private func generateCorpus(in site: String) throws {
    let gen = Process()
    gen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    gen.arguments = ["python3", CLI.repoRoot + "/../shared/bench/gen_corpus.py", "--tickets", "30", "--kb", "3", "--seed", "7", "--out", site + "/corpus"]
    gen.standardOutput = FileHandle.nullDevice
    try gen.run()
    gen.waitUntilExit()
    try #require(gen.terminationStatus == 0)
}

@Test func importOfABrokenCorpusNamesTheLineAndLeavesNothing() throws {
    let site = try CLI.newSite()
    let corpus = site + "/corpus.jsonl"
    try generateCorpus(in: site)
    var lines = try String(contentsOfFile: site + "/corpus/tickets.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    lines[19] = "{\"number\": 20, broken"
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: corpus))
    let broken = try CLI.run(["import", corpus, "--site", site])
    #expect(broken.status != 0)
    #expect(broken.stderr.contains("corpus.jsonl:20:"), "\(broken.stderr)")
    // Nothing of it stays: not the 19 good lines before the broken one, nor their companies.
    #expect(try GatewaySite.sqlite(root: site, "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM orgs)") == "0")

    let good = try CLI.run(["import", site + "/corpus/tickets.jsonl", "--site", site])
    #expect(good.status == 0, "\(good.stderr)")
    #expect(good.stdout.contains("Imported 30 tickets"))
    let build = try CLI.run(["build", "--site", site])
    #expect(build.status == 0, "\(build.stderr)")
    for n in 1...30 {
        #expect(FileManager.default.fileExists(atPath: "\(site)/output/private/tickets/\(n)/index.html"))
    }
}

/// An import killed before one of its commits leaves the batches before it, and what undoes
/// them; the next import undoes them first and then imports the whole file.
@Test func anImportKilledMidwayIsUndoneByTheNext() throws {
    let site = try CLI.newSite()
    try generateCorpus(in: site)
    let corpus = site + "/corpus/tickets.jsonl"
    let killed = try CLI.run(["import", corpus, "--batch", "4", "--site", site], extra: ["BELENUS_CRASH_AT": "store.before-commit:6"])
    #expect(killed.status == SIGKILL, "\(killed.status) \(killed.stderr)")
    let left = Int(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM tickets")) ?? 0
    #expect(left > 0 && left < 30 && left % 4 == 0, "\(left)")
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM import_undo WHERE kind = 'ticket'") == String(left))
    // A first import: its search index was being made beside the database, the texts in its rows.
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM import_undo WHERE kind = 'search-index'") == "1")
    #expect(try Int(GatewaySite.sqlite(root: site, "SELECT count(*) FROM ticket_texts")) ?? 0 >= left)
    // `belenus doctor` says so, with the fix.
    let me = String(cString: getpwuid(getuid()).pointee.pw_name)
    let doctor = try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"])
    #expect(doctor.status != 0 && doctor.stdout.contains("fix   import: one was cut short"), "\(doctor.stdout)")
    // While another import runs (it holds var/.import.lock), an import refuses, and undoes nothing.
    let lock = open(site + "/var/.import.lock", O_RDWR | O_CREAT, 0o640)
    #expect(flock(lock, LOCK_EX) == 0)
    let meanwhile = try CLI.run(["import", corpus, "--batch", "4", "--site", site])
    #expect(meanwhile.status != 0 && meanwhile.stderr.contains("another belenus import is running"), "\(meanwhile.stderr)")
    #expect(try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout.contains("ok    import: running"))
    // A site's first import has the database alone (`Store.takeAlone`): not a broken database.
    let alone = try Store(path: site + "/var/belenus.sqlite3")
    #expect(try alone.takeAlone())
    let held = try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout
    #expect(held.contains("ok    database: a site's first import has it alone") && !held.contains("restore"), "\(held)")
    // A command that needs the database says why it cannot have it, at once.
    let build = try CLI.run(["build", "--site", site])
    #expect(build.status != 0 && build.stderr.contains("a belenus import is running and has the database alone until it ends"), "\(build.stderr)")
    // The gateway does not wait for it (`DatabaseFile.isInWALMode`): 503, not a site "not set
    // up"; a page view too, past the front door (its session read is where it finds it busy).
    // The whole gateway opens the database at its first use, within its answer: the 503 is
    // its error page, like any other; the login form, which needs no database, is served.
    #expect(try CGI.run(site: site, "GET", "/login").status == 200)
    let busy = try CGI.run(site: site, "GET", "/dashboard", headers: ["Cookie": "belenus_session=" + String(repeating: "a", count: 64)])
    #expect(busy.status == 503 && busy.header("Retry-After") == "2", "\(busy.status) \(busy.body)")
    #expect(busy.header("Content-Type")?.hasPrefix("text/html") == true && busy.body.contains("<html"), "\(busy.body)")
    let view = try CGI.run(site: site, "GET", "/tickets/1", headers: ["Cookie": "belenus_session=" + String(repeating: "a", count: 64)])
    #expect(view.status == 503, "\(view.status) \(view.body)")
    try alone.share()
    close(lock)
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM tickets") == String(left))
    let again = try CLI.run(["import", corpus, "--batch", "4", "--site", site])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("An import cut short earlier was undone.") && again.stdout.contains("Imported 30 tickets"), "\(again.stdout)")
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM tickets") == "30")
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM import_undo") == "0")
    // Its search index, made beside the database (`SideIndex`), is whole and in place.
    _ = try GatewaySite.sqlite(root: site, "INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('integrity-check', 1)")
    #expect(try GatewaySite.sqlite(root: site, "SELECT count(*) FROM ticket_texts") == GatewaySite.sqlite(root: site, "SELECT count(*) FROM ticket_fts_docsize"))
    #expect(try GatewaySite.sqlite(root: site, "PRAGMA journal_mode") == "wal")
    #expect(!FileManager.default.fileExists(atPath: site + "/var/belenus.sqlite3.import-index"))
    #expect(!(try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout.contains("import:")))
}

/// `belenus doctor` reads a site and says what to fix, one line each: a database the web
/// server's user cannot write, a missing var/attachments, an unknown time zone and a default
/// calendar that is not there, each with its fix; nothing wrong, nothing to fix. `--version` says the release.
@Test func doctorNamesEachProblemWithItsFix() throws {
    let site = try CLI.newSite()
    let me = String(cString: getpwuid(getuid()).pointee.pw_name)
    let fine = try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"])
    #expect(fine.status == 0, "\(fine.stdout)\(fine.stderr)")
    #expect(fine.stdout.contains("ok    database: whole, schema current") && fine.stdout.contains("ok    time zone: UTC"), "\(fine.stdout)")
    #expect(!fine.stdout.contains("fix "), "\(fine.stdout)")
    // A fresh site works, but not yet as one in production: said, without failing.
    #expect(fine.stdout.contains("warn  base_url: \"http://127.0.0.1:8080\" is this machine's own address"), "\(fine.stdout)")
    #expect(fine.stdout.contains("warn  mail: written to") && fine.stdout.contains("nothing is sent"))

    let config = site + "/belenus.toml"
    try ConfigFile.update(config, ["tickets.calendar": .string("oficina")])
    try FileManager.default.removeItem(atPath: site + "/var/attachments")
    let calendar = try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout
    #expect(calendar.contains("fix   calendar: [tickets] calendar names \"oficina\", which is not in the database"), "\(calendar)")
    try ConfigFile.update(config, ["timezone": .string("Marte/Olimpo"), "tickets.calendar": .string("24x7")])
    // The database is the tests' user's, 0644: another user (not root) cannot write it.
    let other = getuid() == 0 ? "nobody" : "root"
    let broken = try CLI.run(["doctor", "--site", site, "--web-user", other, "--no-gateway"])
    #expect(broken.status != 0)
    let lines = broken.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("fix   time zone: \"Marte/Olimpo\" is not a time zone name; set timezone") }, "\(broken.stdout)")
    #expect(lines.contains { $0.hasPrefix("fix   var/attachments: missing; `mkdir -p \(site)/var/attachments") }, "\(broken.stdout)")
    if other == "nobody" {
        #expect(lines.contains { $0.hasPrefix("fix   var/belenus.sqlite3: nobody cannot write it") && $0.contains("`chown nobody") }, "\(broken.stdout)")
    }
    #expect(broken.stderr.contains("thing(s) to fix"))
    #expect(try CLI.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BelenusVersion.current)
}

/// A site made by an older release has the theme of then: `belenus doctor` names the templates
/// and strings of this release's pages that it lacks, and how to get them.
@Test func doctorNamesWhatAnOlderThemeLacks() throws {
    let site = try CLI.newSite()
    let me = String(cString: getpwuid(getuid()).pointee.pw_name)
    #expect(try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout.contains("ok    theme: has every template"))
    try FileManager.default.removeItem(atPath: site + "/site-templates/admin-users.mustache")
    let locale = site + "/site-templates/locales/en.toml"
    let text = try String(contentsOfFile: locale, encoding: .utf8)
    try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("forgot_title") }.joined(separator: "\n")
        .write(toFile: locale, atomically: true, encoding: .utf8)
    let doctor = try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"])
    #expect(doctor.status != 0)
    let line = doctor.stdout.split(separator: "\n").first { $0.hasPrefix("fix   theme: ") } ?? ""
    #expect(line.contains("1 templates and 1 strings") && line.contains("site-templates/admin-users.mustache")
            && line.contains("locales/en.toml: forgot_title") && line.contains("belenus theme update"), "\(doctor.stdout)")
    // What the doctor says to run: the template comes back, the string is appended, and the
    // other files, as the release has them, are untouched.
    let update = try CLI.run(["theme", "update", "--site", site])
    #expect(update.status == 0 && update.stdout.contains("admin-users.mustache: added")
            && update.stdout.contains("locales/en.toml: kept, with the release's new strings appended: forgot_title"), "\(update.stdout)")
    #expect(update.stdout.contains("2 taken,"), "\(update.stdout)")
    #expect(try CLI.run(["doctor", "--site", site, "--web-user", me, "--no-gateway"]).stdout.contains("ok    theme: has every template"))
}

/// Without `BELENUS_HOME`, `belenus init` writes the theme and sample pages built into the binary:
/// the checkout's files, byte for byte, and a site that builds.
@Test func initWithoutACheckoutWritesTheThemeBuiltIn() throws {
    let dir = Scratch.path("belenus-built-in")
    let made = try CLI.run(["init", dir], extra: ["BELENUS_HOME": ""])
    #expect(made.status == 0, "\(made.stderr)")
    for folder in ["site-templates", "content/pages"] {
        var written = try FileTree.files(under: dir + "/" + folder)
        let checkout = try FileTree.files(under: CLI.repoRoot + "/" + folder)
        let record = written.removeValue(forKey: ThemeDefaults.recordName)  // what `belenus theme update` starts from
        #expect((record != nil) == (folder == "site-templates"))
        #expect(!written.isEmpty && written == checkout, "\(folder): \(Set(written.keys).symmetricDifference(checkout.keys))")
    }
    let build = try CLI.run(["build", "--site", dir], extra: ["BELENUS_HOME": ""])
    #expect(build.status == 0, "\(build.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir + "/output/public/kb/index.html"))
    // The demo's sample articles come from the binary too.
    let demo = Scratch.path("belenus-built-in-demo")
    let made2 = try CLI.run(["demo", "--dir", demo, "--no-serve", "--port", "18124"], extra: ["BELENUS_HOME": ""])
    #expect(made2.status == 0, "\(made2.stderr)")
    #expect(try FileTree.files(under: demo + "/content/kb") == (try FileTree.files(under: CLI.repoRoot + "/content/kb")))
}

/// The binaries carry Swift's runtime and Foundation: `ldd` names only C libraries, so they run
/// where no Swift toolchain is installed. The gateway's two programs are static PIEs: nothing to
/// load before `main`, and the kernel places them at a random address (docs/architecture.md, "The gateway").
@Test func theBinariesNeedNoSwiftLibrary() throws {
    func ldd(_ binary: String) throws -> String {
        let result = try CLI.launch("/usr/bin/ldd", [CLI.binDir + "/" + binary], environment: ["PATH": "/usr/bin:/bin"])
        return result.stdout + result.stderr
    }
    let cli = try ldd("belenus")
    #expect(cli.contains("libsqlite3") && cli.contains("libcmark"), "belenus: \(cli)")
    #expect(!cli.contains("libswift") && !cli.contains("libFoundation") && !cli.contains("libdispatch"), "belenus: \(cli)")
    for binary in ["belenus-gateway", "belenus-gateway-full"] {
        let kind = try ELFKind(path: CLI.binDir + "/" + binary)
        #expect(kind.positionIndependent && !kind.hasInterpreter, "\(binary): \(kind)")
        #expect(try ldd(binary).contains("statically linked"), "\(binary)")
    }
}

/// The functions each gateway program runs for its commonest requests (`Tools/front-door.order`,
/// `Tools/whole-gateway.order`) are placed side by side at the start of its code, so that a
/// process maps them in a few faults (Package.swift, `linkOrder`). Linked in the libraries' order
/// instead, a tenth of them lie in the last half of the code.
@Test(arguments: [("belenus-gateway", "front-door.order"), ("belenus-gateway-full", "whole-gateway.order")])
func theGatewaysCommonestCodeComesFirst(_ binary: String, _ list: String) throws {
    let listed = Set(try String(contentsOfFile: CLI.repoRoot + "/Tools/" + list, encoding: .utf8).split(separator: "\n").map(String.init))
    let symbols = try CLI.launch("/usr/bin/nm", ["-n", "--defined-only", CLI.binDir + "/" + binary], environment: ["PATH": "/usr/bin:/bin"])
    #expect(symbols.status == 0, "\(symbols.stderr)")
    let code = symbols.stdout.split(separator: "\n").compactMap { line -> (address: Int, name: Substring)? in
        let fields = line.split(separator: " ")
        guard fields.count == 3, ["t", "T", "W"].contains(fields[1]), let address = Int(fields[0], radix: 16) else { return nil }
        return (address, fields[2])
    }
    let (start, end) = (code.first?.address ?? 0, code.last?.address ?? 0)
    let placed = code.filter { listed.contains(String($0.name)) }.map(\.address)  // in address order
    #expect(placed.count > listed.count / 2, "\(binary): \(placed.count) of the \(listed.count) listed functions are in the binary")
    let last = placed.isEmpty ? end : placed[placed.count * 95 / 100]
    #expect(Double(last - start) < 0.6 * Double(end - start), "\(binary): 95 % of the listed functions within \(last - start) of \(end - start) bytes")
}

/// What an ELF executable's headers say about its loading: position-independent (`ET_DYN`, so
/// loaded at a random address) and whether it names a loader (`PT_INTERP`, so dynamically linked).
struct ELFKind: CustomStringConvertible {
    let positionIndependent: Bool
    let hasInterpreter: Bool

    init(path: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(1 << 16))
        func integer(_ offset: Int, _ size: Int) -> Int {  // little-endian, as on x86-64 and arm64
            (0..<size).reversed().reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
        }
        guard bytes.count >= 64, bytes[0..<4] == [0x7F, 0x45, 0x4C, 0x46], bytes[4] == 2 else { throw Unreadable("\(path): not a 64-bit ELF file") }
        positionIndependent = integer(16, 2) == 3  // e_type ET_DYN
        let (table, entrySize, count) = (integer(32, 8), integer(54, 2), integer(56, 2))
        guard table + entrySize * count <= bytes.count else { throw Unreadable("\(path): program headers beyond 64 KiB") }
        hasInterpreter = (0..<count).contains { integer(table + $0 * entrySize, 4) == 3 }  // p_type PT_INTERP
    }

    var description: String { "position-independent \(positionIndependent), loader \(hasInterpreter)" }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
