import BelenusCore
import BelenusTestSupport
import Foundation
import Testing

/// The webmaster's path (issue 17): the Debian package `make test` builds from this build
/// (`make deb CONFIG=debug`), installed with dpkg; a site made and built by the installed
/// `belenus` from a folder with no checkout and no BELENUS_HOME; Apache serving it with the
/// installed gateway and the installed example configuration through a client's journey; the man
/// page; and a removal that leaves the site's data alone.
@Suite(.serialized) struct PackageTests {
    static let package = CLI.repoRoot + "/.build/belenus_\(BelenusVersion.current)_amd64.deb"

    /// Runs `program` with a bare environment (no BELENUS_HOME) from `/`; its status and output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], stdin: String = "") throws -> (status: Int32, output: String) {
        let result = try CLI.launch(program, arguments, stdin: stdin, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"],
                                    directory: "/")
        return (result.status, result.stdout + result.stderr)
    }

    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    @Test func theDebianPackageInstallsAndServesAClientsJourney() throws {
        try #require(FileManager.default.fileExists(atPath: Self.package), "no \(Self.package): `make test` builds it")
        try #require(Self.modified(Self.package) >= Self.modified(CLI.binDir + "/belenus"), "\(Self.package) is older than the build: `make test`")
        try #require(getuid() == 0, "dpkg -i needs root")
        let installed = try Self.run("/usr/bin/dpkg", ["-i", Self.package])
        try #require(installed.status == 0, "\(installed.output)")
        defer { _ = try? Self.run("/usr/bin/dpkg", ["-r", "belenus"]) }

        // No Swift library (the gateway's two programs: static PIEs), a man page per command.
        let ldd = try Self.run("/usr/bin/ldd", ["/usr/bin/belenus"])
        #expect(ldd.status == 0 && !ldd.output.contains("swift") && !ldd.output.contains("Foundation"), "\(ldd.output)")
        for binary in ["/usr/lib/cgi-bin/belenus-gateway", "/usr/lib/belenus/belenus-gateway-full"] {
            let kind = try ELFKind(path: binary)  // stripped by `make install`: still a static PIE
            #expect(kind.positionIndependent && !kind.hasInterpreter, "\(binary): \(kind)")
        }
        let man = try Self.run("/usr/bin/man", ["-w", "belenus-build"])
        #expect(man.status == 0 && man.output.contains("/usr/share/man/man1/belenus-build.1"), "\(man.output)")
        let page = try Self.run("/usr/bin/man", ["-P", "cat", "belenus"])
        #expect(page.status == 0 && page.output.contains("belenus") && page.output.contains("doctor"), "\(page.output.prefix(500))")

        // A site made by the installed command, outside any checkout.
        let site = Scratch.path("soporte")
        let belenus = "/usr/bin/belenus"
        for (arguments, stdin) in [
            (["init", site, "--timezone", "America/Mexico_City"], ""),
            (["org", "add", "Acme S.A.", "--site", site], ""),
            (["user", "add", "tecnico", "--name", "Téc Uno", "--email", "tec@soporte.mx", "--role", "tech", "--site", site], "clave-del-tecnico"),
            (["user", "add", "ana", "--name", "Ana Pérez", "--email", "ana@acme.mx", "--role", "client", "--org", "Acme S.A.", "--site", site], "clave-de-ana-1"),
            (["product", "add", "Nómina", "--versions", "2025.1", "--responsible", "tecnico", "--site", site], ""),
            (["build", "--site", site], ""),
        ] {
            let result = try Self.run(belenus, arguments, stdin: stdin)
            try #require(result.status == 0, "belenus \(arguments.joined(separator: " ")): \(result.output)")
        }
        #expect(FileManager.default.fileExists(atPath: site + "/site-templates/layout.mustache"))

        // Apache with the installed example configuration and gateway.
        let web = try WebServer("apache2", site: site, gateway: "/usr/lib/cgi-bin/belenus-gateway", examples: "/usr/share/doc/belenus/examples")
        defer { web.stop() }
        let http = web.client
        #expect(try http.get("/").status == 200)
        let ana = try http.login("ana", "clave-de-ana-1")
        let file = Scratch.path("captura", suffix: ".txt")
        try "error en línea 42".write(toFile: file, atomically: true, encoding: .utf8)
        let open = try http.post("/cgi-bin/belenus/tickets", as: ana, form: [
            "title": "No timbra", "product": "Nómina", "version": "2025.1", "body": "Falla al timbrar.",
        ], file: file)
        #expect(open.status == 303 && open.header("Location") == "/cgi-bin/belenus/tickets/1", "\(open.headers)\(open.body)")
        #expect(try http.get("/cgi-bin/belenus/tickets/1/files/1", as: ana).body == "error en línea 42")
        let tech = try http.login("tecnico", "clave-del-tecnico")
        #expect(try http.post("/cgi-bin/belenus/tickets/1/comments", as: tech, form: ["body": "Renueve el sello."]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/close", as: tech, form: ["body": "Se renovó el sello."]).status == 303)
        #expect(try http.post("/cgi-bin/belenus/tickets/1/approve", as: ana, form: [:]).status == 303)
        let view = try http.get("/cgi-bin/belenus/tickets/1", as: ana)  // the front door's page view
        #expect(view.status == 200 && view.body.contains("Se renovó el sello."), "\(view.status)")
        let json = try http.get("/cgi-bin/belenus/tickets/1", as: ana, json: true)
        let ticket = (try? JSONSerialization.jsonObject(with: Data(json.body.utf8))) as? [String: Any] ?? [:]
        #expect(ticket["status"] as? String == "approved", "\(json.body)")
        web.stop()

        // Removed: the programs go, the site's data stays.
        #expect(try Self.run("/usr/bin/dpkg", ["-r", "belenus"]).status == 0)
        for path in ["/usr/bin/belenus", "/usr/lib/cgi-bin/belenus-gateway", "/usr/lib/belenus/belenus-gateway-full"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: site + "/var/belenus.sqlite3"))
    }
}
