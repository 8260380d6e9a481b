import BelenusTestSupport
import Foundation
import Testing

/// Issue 31: the administration in the browser (SPEC §5, `/admin`), through the gateway binary.
@Suite struct AdministrationTests {
    static let routes: [(String, String)] = [
        ("GET", "/admin"), ("GET", "/admin/users"), ("POST", "/admin/users"), ("GET", "/admin/users/ana"), ("POST", "/admin/users/ana"),
        ("POST", "/admin/users/ana/reset"), ("GET", "/admin/orgs"), ("POST", "/admin/orgs"), ("POST", "/admin/orgs/1"),
        ("GET", "/admin/products"), ("POST", "/admin/products"), ("POST", "/admin/products/1"), ("GET", "/admin/audit"),
        ("GET", "/admin/calendars"), ("POST", "/admin/calendars"), ("POST", "/admin/calendars/1"),
    ]

    /// Every route, GET and POST, answers 403 to a client and a technician, and changes nothing.
    @Test func everyAdminRouteIs403ToAClientAndATechnician() throws {
        let site = try GatewaySite.make(through: .binary)
        let before = try site.sqlite("SELECT group_concat(login || name || email || role || disabled) FROM users")
        for (method, path) in Self.routes {
            for person in [site.ana, site.tech] {
                let fields = method == "POST" ? [("name", "Cambiado"), ("login", "x"), ("email", "x@x.mx"), ("role", "admin"), ("active", "false")] : nil
                let answer = try site.run(method, path, as: person, fields: fields)
                #expect(answer.status == 403, "\(method) \(path): \(answer.status)")
            }
        }
        #expect(try site.sqlite("SELECT group_concat(login || name || email || role || disabled) FROM users") == before)
        #expect(try site.count("audit_log") == 0 && site.count("calendars") == 1)
        #expect(try site.run("GET", "/admin", as: site.admin).status == 200)
        // Nobody signed in: to the login page.
        #expect(try site.run("GET", "/admin/users").status == 303)
    }

    /// A session whose password is older than `reauth_minutes` must type it again: without it
    /// or with a wrong one, 401 with the form kept, and nothing changes.
    @Test func aStaleSessionNeedsThePasswordAgain() throws {
        let site = try GatewaySite.make(through: .binary)
        _ = try site.sqlite("UPDATE sessions SET password_at = '2000-01-01T00:00:00Z'")
        let invite = [("login", "dora"), ("name", "Dora Díaz"), ("email", "dora@acme.mx"), ("role", "client"), ("org", "Acme S.A.")]
        let without = try site.run("POST", "/admin/users", as: site.admin, fields: invite)
        #expect(without.status == 401 && without.body.contains("value=\"Dora Díaz\"") && without.body.contains("name=\"reauth_password\""))
        let wrong = try site.run("POST", "/admin/users", as: site.admin, fields: invite + [("reauth_password", "no-es")])
        #expect(wrong.status == 401 && wrong.body.contains("value=\"dora@acme.mx\""))
        #expect(try site.count("users") == 4 && site.sentMail().isEmpty && site.count("audit_log") == 0)
        let right = try site.run("POST", "/admin/users", as: site.admin, fields: invite + [("reauth_password", GatewaySite.passwords["admin1"]!)])
        #expect(right.status == 303 && right.location.hasSuffix("/cgi-bin/belenus/admin/users/dora"), "\(right.status) \(right.body)")
        #expect(site.sentMail().count == 1)
        // Typed again: the next change within the minutes needs nothing.
        #expect(try site.run("POST", "/admin/orgs", as: site.admin, fields: [("name", "Gamma")]).status == 303)
    }

    @Test func theLastAdministratorCannotBeDisabledOrDemoted() throws {
        let site = try GatewaySite.make(through: .binary)
        let disable = try site.run("POST", "/admin/users/admin1", as: site.admin, fields: [("active", "false")])
        #expect(disable.status == 409, "\(disable.body)")
        let demote = try site.run("POST", "/admin/users/admin1", as: site.admin, fields: [("name", "Admin Uno"), ("email", "admin1@soporte.mx"), ("role", "tech"), ("org", "")])
        #expect(demote.status == 409 && demote.body.contains("value=\"Admin Uno\""))
        #expect(try site.sqlite("SELECT role || disabled FROM users WHERE login = 'admin1'") == "admin0")
        #expect(try site.count("audit_log") == 0)
    }

    @Test func aDuplicateLoginOrAddressIsA400NamingTheField() throws {
        let site = try GatewaySite.make(through: .binary)
        let login = try site.run("POST", "/admin/users", as: site.admin,
                                 fields: [("login", "ana"), ("name", "Otra Ana"), ("email", "otra@acme.mx"), ("role", "client"), ("org", "Acme S.A.")])
        #expect(login.status == 400 && login.body.contains("«Usuario»") && login.body.contains("value=\"Otra Ana\""), "\(login.body)")
        let email = try site.run("POST", "/admin/users", as: site.admin,
                                 fields: [("login", "ana2"), ("name", "Otra Ana"), ("email", "ANA@acme.mx"), ("role", "client"), ("org", "Acme S.A.")], json: true)
        #expect(email.status == 400 && email.json["field"] as? String == "email")
        #expect(try site.count("users") == 4 && site.sentMail().isEmpty)
    }

    /// The admin's changes, each in the audit log with old → new, shown at /admin/audit.
    @Test func everyChangeIsInTheAuditLog() throws {
        let site = try GatewaySite.make(through: .binary)
        #expect(try site.run("POST", "/admin/users/ana", as: site.admin,
                             fields: [("name", "Ana P. Pérez"), ("email", "ana@acme.mx"), ("role", "client"), ("org", "Acme S.A.")]).status == 303)
        #expect(try site.run("POST", "/admin/orgs", as: site.admin, fields: [("name", "Gamma")]).status == 303)
        let gamma = try site.sqlite("SELECT rowid FROM orgs WHERE name = 'Gamma'")
        #expect(try site.run("POST", "/admin/orgs/\(gamma)", as: site.admin, fields: [("name", "Gamma S.A."), ("active", "false")]).status == 303)
        #expect(try site.run("POST", "/admin/products", as: site.admin, fields: [("name", "Inventarios"), ("versions", "1.0, 2.0"), ("responsible", "tech1")]).status == 303)
        let product = try site.sqlite("SELECT rowid FROM products WHERE name = 'Inventarios'")
        #expect(try site.run("POST", "/admin/products/\(product)", as: site.admin,
                             fields: [("name", "Inventarios"), ("versions", "2.0"), ("responsible", "tech1"), ("active", "false")]).status == 303)
        #expect(try site.run("POST", "/admin/users/bob/reset", as: site.admin, fields: []).status == 303)
        let audit = try site.run("GET", "/admin/audit", as: site.admin)
        #expect(audit.status == 200)
        for text in ["Ana Pérez → Ana P. Pérez", "Gamma → Gamma S.A.", "true → false", "1.0, 2.0 → 2.0", "user.reset", "127.0.0.1"] {
            #expect(audit.body.contains(text), "\(text)")
        }
        #expect(try site.count("audit_log") == 7)
        #expect(site.sentMail().count == 1, "the reset link went out")
        // The people list filters without case or accents.
        let list = try site.run("GET", "/admin/users", as: site.admin, query: "q=perez&role=client")
        #expect(list.body.contains("Ana P. Pérez") && !list.body.contains("Bob Beta"))
    }

    /// A technician disabled in the browser: their open tickets go to whom the form names, and
    /// their session ends at once.
    @Test func aDisabledTechniciansTicketsGoToWhomTheFormNames() throws {
        let site = try GatewaySite.make(through: .binary)
        #expect(try CLI.run(["user", "add", "tech2", "--name", "Téc Dos", "--email", "tech2@soporte.mx", "--role", "tech", "--site", site.root],
                            stdin: "clave-de-tech-2\n").status == 0)
        let n = try site.openTicket(as: site.ana)
        let answer = try site.run("POST", "/admin/users/tech1", as: site.admin, fields: [("active", "false"), ("to", "tech2")])
        #expect(answer.status == 303)
        #expect(try site.sqlite("SELECT responsible FROM tickets WHERE number = \(n)") == "tech2")
        #expect(try site.sqlite("SELECT actor FROM events WHERE ticket = \(n) ORDER BY id DESC LIMIT 1") == "admin1")
        #expect(try site.run("GET", "/tickets", as: site.tech).status == 303)
        #expect(try site.run("GET", "/tickets/\(n)", as: site.admin).body.contains("Téc Dos"))
    }
}

/// What a refused row of the companies' or products' page keeps, and the JSON of every page.
@Suite struct AdministrationFormTests {
    @Test func aRefusedRenameKeepsWhatWasTyped() throws {
        let site = try GatewaySite.make()
        let acme = try site.sqlite("SELECT rowid FROM orgs WHERE name = 'Acme S.A.'")
        let taken = try site.run("POST", "/admin/orgs/\(acme)", as: site.admin, fields: [("name", "Beta SA"), ("active", "true")])
        #expect(taken.status == 400 && taken.body.contains("«Nombre»"), "\(taken.body)")
        #expect(taken.body.components(separatedBy: "value=\"Beta SA\"").count == 3, "the typed name in Acme's row, and Beta's own")
        let nomina = try site.sqlite("SELECT rowid FROM products WHERE name = 'Nómina'")
        let bad = try site.run("POST", "/admin/products/\(nomina)", as: site.admin,
                               fields: [("name", "Nómina"), ("versions", "2026.1, \u{7}"), ("responsible", "tech1"), ("active", "true")])
        #expect(bad.status == 400 && bad.body.contains("2026.1"), "\(bad.status) \(bad.body)")
        #expect(try site.sqlite("SELECT group_concat(version) FROM product_versions WHERE product = 'Nómina' AND retired = 0") == "2024.1,2025.1")
    }

    /// Issue 32 in the browser's administration: a calendar added with its hours and holidays,
    /// a company given it (its open ticket laid out again), a refused edit naming the field with
    /// what was typed kept, and each change in the audit log.
    @Test func calendarsAreManagedInTheAdministration() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let add = try site.run("POST", "/admin/calendars", as: site.admin, fields: [
            ("name", "oficina"), ("zone", "America/Mexico_City"), ("hours", "mon-fri 09:00-18:00"), ("holidays", "mx-lft, 12-12"),
        ])
        #expect(add.status == 303 && add.location.hasSuffix("/admin/calendars?saved=1"), "\(add.status) \(add.body)")
        let id = try site.sqlite("SELECT id FROM calendars WHERE name = 'oficina'")
        let list = try site.run("GET", "/admin/calendars", as: site.admin)
        #expect(list.status == 200 && list.body.contains("value=\"mx-lft, 12-12\"") && list.body.contains("aria-current=\"page\">Calendarios"))
        let acme = try site.sqlite("SELECT rowid FROM orgs WHERE name = 'Acme S.A.'")
        let due = try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)")
        let give = try site.run("POST", "/admin/orgs/\(acme)", as: site.admin, fields: [("name", "Acme S.A."), ("active", "true"), ("calendar", "oficina")])
        #expect(give.status == 303, "\(give.body)")
        #expect(try site.sqlite("SELECT calendar FROM tickets WHERE number = \(n)") == "oficina")
        #expect(try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)") != due)
        let orgs = try site.run("GET", "/admin/orgs", as: site.admin).body
        #expect(orgs.contains("<option value=\"oficina\" selected>oficina</option>"))
        #expect(orgs.contains("(1 persona)"), "one of its people, in the singular")
        #expect(try site.run("GET", "/admin/calendars", as: site.admin).body.contains("<small>(1 empresa)</small>"))
        let bad = try site.run("POST", "/admin/calendars/\(id)", as: site.admin, fields: [("zone", "America/Mexico_City"), ("hours", "lun-vie 9-18"), ("holidays", "mx-lft")])
        #expect(bad.status == 400 && bad.body.contains("«Horario»") && bad.body.contains("value=\"lun-vie 9-18\""), "\(bad.body)")
        #expect(try site.sqlite("SELECT hours FROM calendars WHERE id = \(id)") == "mon-fri 09:00-18:00")
        #expect(try site.run("POST", "/admin/calendars/\(id)", as: site.admin, fields: [("hours", "mon-fri 09:00-14:00")]).status == 303)
        let json = try site.run("GET", "/admin/calendars", as: site.admin, json: true).json
        let oficina = ((json["calendars"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == "oficina" }
        #expect(oficina?["hours"] as? String == "mon-fri 09:00-14:00" && oficina?["companies"] as? Int == 1)
        let audit = try site.run("GET", "/admin/audit", as: site.admin).body
        #expect(audit.contains("calendar.add") && audit.contains("calendar.edit") && audit.contains("mon-fri 09:00-14:00"))
    }

    @Test func everyAdminPageAnswersJSON() throws {
        let site = try GatewaySite.make()
        let users = try site.run("GET", "/admin/users", as: site.admin, json: true)
        #expect(((users.json["users"] as? [[String: Any]]) ?? []).compactMap { $0["login"] as? String }.sorted() == ["admin1", "ana", "bob", "tech1"])
        #expect(try site.run("GET", "/admin/users/ana", as: site.admin, json: true).json["org"] as? String == "Acme S.A.")
        #expect(((try site.run("GET", "/admin/orgs", as: site.admin, json: true).json["orgs"] as? [Any]) ?? []).count == 2)
        #expect(((try site.run("GET", "/admin/products", as: site.admin, json: true).json["products"] as? [Any]) ?? []).count == 2)
        #expect(try site.run("GET", "/admin", as: site.admin, json: true).json["people"] as? Int == 4)
        #expect(try site.run("GET", "/account", as: site.ana, json: true).json["email"] as? String == "ana@acme.mx")
        let created = try site.run("POST", "/admin/orgs", as: site.admin, fields: [("name", "Gamma")], json: true)
        #expect(created.status == 303 && created.json["location"] != nil)
        let audit = try site.run("GET", "/admin/audit", as: site.admin, json: true)
        #expect(((audit.json["entries"] as? [[String: Any]]) ?? []).first?["action"] as? String == "org.add")
        #expect(try site.run("GET", "/admin/users", as: site.ana, json: true).status == 403)
    }
}
