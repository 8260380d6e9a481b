import ArgumentParser
import BelenusCore
import BelenusFiles
import BelenusBuild
import BelenusStore
import Foundation

/// `belenus demo`: a demo site with people, products, ~50 tickets in every state and the sample
/// KB, built and served; prints the URL and the logins.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Make a demo site, build it and serve it; prints the URL and the demo logins.")
    @Option(help: "The port, on 127.0.0.1.") var port = 8080
    @Option(help: "The demo site's folder (made if missing, reused if it holds a demo).") var dir = "belenus-demo"
    @Flag(help: "Make and build the site, print the logins, and stop.") var noServe = false

    func run() async throws {
        let paths = SitePaths(root: dir)
        let logins = paths.var_ + "/demo-logins.txt"
        if !FileManager.default.fileExists(atPath: logins) {
            if FileManager.default.fileExists(atPath: paths.config) {
                throw CLIError("\(dir) holds a site that is not a demo; choose another --dir")
            }
            print("Making the demo site in \(paths.root)…")
            let text = try DemoSite.make(at: paths, port: port)
            // Passwords in clear: readable by whoever made the demo only.
            guard FileManager.default.createFile(atPath: logins, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("cannot write \(logins)")
            }
        }
        let builder = try SiteBuilder(paths: paths, store: try Store(path: paths.database))
        let report = try builder.build()
        print("Built \(report.pages) pages.")
        print(try String(contentsOfFile: logins, encoding: .utf8))
        guard !noServe else { return }
        try await ServeCommand.serve(paths: paths, port: port, gateway: nil)
    }
}

/// The demo's people, products and tickets. Passwords are random, one set per demo site, kept
/// in `var/demo-logins.txt` (mode 0600) and printed at each `belenus demo`.
enum DemoSite {
    static func make(at paths: SitePaths, port: Int) throws -> String {
        // Its people are in Mexico, as the manual's are.
        _ = try SiteInit.create(at: paths.root, from: Belenus.themeSource, timezone: "America/Mexico_City")
        // Deadlines in the office's hours (SPEC §3: `oficina`).
        try ConfigFile.update(paths.config, ["base_url": .string("http://127.0.0.1:\(port)"), "tickets.calendar": .string("oficina")])
        for article in SiteInit.sampleArticles(Belenus.themeSource) {
            try Data(article.bytes).write(to: URL(fileURLWithPath: paths.contentKB + "/" + article.name))
        }
        let store = try Store(path: paths.database)
        try store.addCalendar(BusinessCalendar(
            name: "oficina", zone: try Store.zone("America/Mexico_City"), hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00"),
            holidays: try Holidays(parsing: "mx-lft")))
        for org in orgs { try store.addOrg(org) }
        var lines = ["Demo logins (user / password):"]
        for person in people {
            let password = randomPassword()
            let user = User(login: Login(person.login), name: person.name, email: person.email, role: person.role, org: person.org)
            try store.addUser(user, passwordHash: try PasswordHasher.standard.hash(password))
            let login = person.login.padding(toLength: 10, withPad: " ", startingAt: 0)
            let role = person.role.rawValue + (person.org.map { ", \($0)" } ?? "")
            lines.append("  \(login) \(password)   \(role)  \(person.name)")
        }
        try store.addProduct("Nómina", versions: ["2024.1", "2025.1"], responsible: Login("tecnico"))
        try store.addProduct("Contabilidad", versions: ["8.2", "9.0"], responsible: Login("tecnico2"))
        try store.addProduct("Bancos", versions: ["3.1"], responsible: nil)
        try store.addProduct("Facturación", versions: ["4.0", "4.1"], responsible: Login("tecnico"))
        try addTickets(store)
        return lines.joined(separator: "\n") + "\n"
    }

    static let orgs = ["Acme S.A. de C.V.", "Beta Industrial", "Comercial Gamma"]

    static let people: [(login: String, name: String, email: String, role: Role, org: String?)] = [
        ("cliente", "Ana Pérez", "ana@acme.example", .client, "Acme S.A. de C.V."),
        ("cliente2", "Luis Gómez", "luis@beta.example", .client, "Beta Industrial"),
        ("cliente3", "Sofía Ruiz", "sofia@gamma.example", .client, "Comercial Gamma"),
        ("tecnico", "María López", "maria@soporte.example", .tech, nil),
        ("tecnico2", "Jorge Díaz", "jorge@soporte.example", .tech, nil),
        ("admin", "Administración", "admin@soporte.example", .admin, nil),
    ]

    static let problems: [(title: String, product: String, version: String, body: String)] = [
        (
            "Error CFDI40102 al timbrar la nómina", "Nómina", "2025.1",
            "Al timbrar la quincena aparece **CFDI40102**. Ya revisamos el RFC del empleado."
        ),
        (
            "No cuadra el ISR del aguinaldo", "Nómina", "2025.1",
            "El cálculo del ISR del aguinaldo difiere del simulador del SAT por unos pesos."
        ),
        ("La póliza de cierre no se genera", "Contabilidad", "9.0", "Al cerrar el ejercicio el proceso termina sin generar la póliza."),
        (
            "Conciliación bancaria duplica movimientos", "Bancos", "3.1",
            "Al importar el estado de cuenta en formato CSV algunos cargos aparecen dos veces."
        ),
        ("Factura global rechazada por el PAC", "Facturación", "4.1", "El PAC rechaza la factura global con el error `CFDI40124`."),
        ("Reporte de auxiliares muy lento", "Contabilidad", "8.2", "El reporte de auxiliares de un mes tarda más de diez minutos."),
        ("No se puede cancelar un CFDI", "Facturación", "4.0", "La cancelación queda *en proceso* desde hace tres días."),
        ("Vacaciones mal calculadas", "Nómina", "2024.1", "A los empleados con más de cinco años les calcula 12 días en lugar de 14."),
    ]

    /// Tickets over the last 40 days: open (some overdue, some waiting on the client), closed,
    /// approved, reopened; comments from both sides.
    static func addTickets(_ store: Store) throws {
        let policy = SLAPolicy()
        let now = Date()
        let clients = people.filter { $0.role == .client }
        let tech = Actor(login: Login("tecnico"), role: .tech)
        for i in 0..<50 {
            let problem = problems[i % problems.count]
            let person = clients[i % clients.count]
            let client = Actor(login: Login(person.login), role: .client, org: person.org)
            var at = now - Double(50 - i) * 19 * 3600
            let draft = TicketDraft(
                title: problem.title, product: problem.product, version: problem.version, body: problem.body, org: person.org!)
            let ticket = try store.openTicket(draft, by: client, at: at, policy: policy, defaultCalendar: "oficina")
            func step(_ actor: Actor, _ make: (Ticket, SLAClock) throws -> TicketChange) throws {
                at += 2 * 3600
                guard at < now else { return }
                try store.change(ticket.number, by: actor, at: at, policy: policy) { current, context in try make(current, context.clock) }
            }
            switch i % 6 {
            case 0:  // open, untouched: on time, due soon or overdue by its age
                break
            case 1:
                try step(tech) { try $0.comment("¿Nos puede enviar el XML del comprobante?", by: tech, at: at, clock: $1) }
            case 2:
                try step(tech) { try $0.comment("Estamos revisando con el proveedor.", by: tech, at: at, clock: $1) }
                try step(client) { try $0.comment("Gracias, quedo atenta.", by: client, at: at, clock: $1) }
            case 3:
                try step(tech) {
                    try $0.close(
                        solution: "Se corrigió la configuración del módulo. Pruebe de nuevo, por favor.", by: tech, at: at, clock: $1)
                }
            case 4:
                try step(tech) {
                    try $0.close(solution: "Actualice a la versión más reciente y vuelva a procesar.", by: tech, at: at, clock: $1)
                }
                try step(client) { ticket, _ in try ticket.approve(by: client, at: at) }
            default:
                try step(tech) { try $0.close(solution: "Se reinició el servicio de timbrado.", by: tech, at: at, clock: $1) }
                try step(client) { try $0.reopen(reason: "Sigue fallando con otro empleado.", by: client, at: at, clock: $1) }
            }
        }
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
