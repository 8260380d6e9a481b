import BelenusTestSupport
import Foundation
import Testing

/// Issue 31: a forgotten password without a shell, and *Mi cuenta* (SPEC §2, §5). Through the
/// gateway binary: its mail goes out after the answer, from the process a web server runs.
@Suite struct ForgottenPasswordTests {
    static func forgot(_ site: GatewaySite, _ email: String, from address: String = "127.0.0.1") throws -> CGI.Answer {
        try CGI.run(site: site.root, "POST", "/password/forgot", body: CGI.urlencoded([("email", email)]),
                    contentType: "application/x-www-form-urlencoded", extra: ["REMOTE_ADDR": address], through: site.runner)
    }

    static func reset(_ site: GatewaySite, token: String, _ password: String, _ password2: String? = nil) throws -> CGI.Answer {
        try site.run("POST", "/password/reset", fields: [("token", token), ("password", password), ("password2", password2 ?? password)])
    }

    static func login(_ site: GatewaySite, _ name: String, _ password: String) throws -> Int {
        try site.run("POST", "/login", fields: [("login", name), ("password", password)]).status
    }

    /// The same answer for a known and an unknown address; only the known one gets a mail.
    @Test func theForgotFormAnswersEveryAddressTheSame() throws {
        let site = try GatewaySite.make(through: .binary)
        let known = try Self.forgot(site, "ANA@acme.mx"), unknown = try Self.forgot(site, "nadie@ejemplo.mx")
        #expect(known.status == 303 && unknown.status == 303)
        #expect(known.location == unknown.location && known.location.hasSuffix("/password/forgot?sent=1"))
        #expect(known.body == unknown.body && known.headers.map(\.name) == unknown.headers.map(\.name))
        let mail = site.sentMail()
        #expect(mail.count == 1)
        #expect(mail.first?.headers.contains("To: ana@acme.mx") == true, "\(mail)")
        #expect(mail.first.flatMap { GatewaySite.linkToken(in: $0.body) } != nil, "\(mail)")
        // The page it lands on says what happens, whatever the address was.
        let page = try site.run("GET", "/password/forgot", query: "sent=1")
        #expect(page.status == 200 && page.body.contains("role=\"status\""))
    }

    /// The link works once; the new password works; every session the account had ends; the
    /// database never held the token.
    @Test func aResetLinkSetsThePasswordOnceAndEndsTheSessions() throws {
        let site = try GatewaySite.make(through: .binary)
        #expect(try site.run("GET", "/tickets", as: site.ana).status == 200)
        _ = try Self.forgot(site, "ana@acme.mx")
        let token = try #require(site.sentMail().first.flatMap { GatewaySite.linkToken(in: $0.body) })
        #expect(try site.sqlite("SELECT COUNT(*) FROM account_links WHERE token_hash = '\(token)'") == "0")
        let everything = try site.sqlite("SELECT group_concat(body) FROM outbox") + (try site.sqlite("SELECT group_concat(token_hash) FROM account_links"))
        #expect(!everything.contains(token))
        let form = try site.run("GET", "/password/reset", query: "token=\(token)")
        #expect(form.status == 200 && form.body.contains("name=\"token\" value=\"\(token)\"") && form.body.contains("Ana Pérez"))
        #expect(form.header("Cache-Control") == "no-store")
        // Refused forms change nothing and keep the link usable.
        let short = try Self.reset(site, token: token, "corta")
        #expect(short.status == 400 && short.body.contains("Contraseña"), "\(short.body)")
        let mismatch = try Self.reset(site, token: token, "nueva-clave-de-ana", "otra-clave-de-ana")
        #expect(mismatch.status == 400 && mismatch.body.contains("Repita la contraseña"))
        #expect(try Self.login(site, "ana", GatewaySite.passwords["ana"]!) == 303)
        let ok = try Self.reset(site, token: token, "nueva-clave-de-ana")
        #expect(ok.status == 303 && ok.location.hasSuffix("/login"))
        #expect(try site.run("GET", "/tickets", as: site.ana).status == 303, "the old session still works")
        #expect(try Self.login(site, "ana", GatewaySite.passwords["ana"]!) == 401)
        #expect(try Self.login(site, "ana", "nueva-clave-de-ana") == 303)
        // Spent: once more is refused, and the form says the link no longer works.
        #expect(try Self.reset(site, token: token, "tercera-clave-de-ana").status == 400)
        #expect(try site.run("GET", "/password/reset", query: "token=\(token)").status == 400)
        #expect(try Self.login(site, "ana", "nueva-clave-de-ana") == 303)
        // Another account was not touched.
        #expect(try Self.login(site, "bob", GatewaySite.passwords["bob"]!) == 303)
    }

    @Test func aLinkDoesNotWorkAfterSixtyMinutes() throws {
        let site = try GatewaySite.make(through: .binary)
        _ = try Self.forgot(site, "ana@acme.mx")
        let token = try #require(site.sentMail().first.flatMap { GatewaySite.linkToken(in: $0.body) })
        _ = try site.sqlite("UPDATE account_links SET expires_at = '2000-01-01T01:00:00Z', created_at = '2000-01-01T00:00:00Z'")
        #expect(try site.run("GET", "/password/reset", query: "token=\(token)").status == 400)
        #expect(try Self.reset(site, token: token, "nueva-clave-de-ana").status == 400)
        #expect(try Self.login(site, "ana", GatewaySite.passwords["ana"]!) == 303)
        // A link lives 60 minutes from its making.
        _ = try Self.forgot(site, "bob@beta.mx")
        let row = try site.sqlite("SELECT created_at, expires_at FROM account_links WHERE login = 'bob'").split(separator: "|")
        let made = try #require(ISO8601DateFormatter().date(from: String(row[0]))), ends = try #require(ISO8601DateFormatter().date(from: String(row[1])))
        #expect(ends.timeIntervalSince(made) == 3600)
    }

    /// Past three links an hour for one account, a request still answers 303 and sends nothing.
    @Test func aFourthLinkInAnHourIsNotSent() throws {
        let site = try GatewaySite.make(through: .binary)
        for _ in 0..<4 { #expect(try Self.forgot(site, "ana@acme.mx").status == 303) }
        #expect(site.sentMail().count == 3)
        #expect(try site.count("account_links") == 3)
    }

    /// Sixteen gateway processes at once for one address: three links, three mails, no more
    /// (the count and the row are one transaction).
    @Test func sixteenSimultaneousRequestsGetThreeLinks() throws {
        let site = try GatewaySite.make(through: .binary)
        let answers = simultaneously(16) { i in try Self.forgot(site, "ana@acme.mx", from: "198.51.100.\(i + 1)") }
        #expect(answers.count == 16 && answers.allSatisfy { $0.status == 303 }, "\(answers.map(\.status))")
        #expect(try site.count("account_links") == 3)
        #expect(site.sentMail().count == 3)
    }

    /// The forms anyone may post are counted by address like failed logins.
    @Test func forgotAndResetAreThrottledByAddress() throws {
        let site = try GatewaySite.make(through: .binary)
        for i in 0..<20 { #expect(try Self.forgot(site, "nadie\(i)@ejemplo.mx", from: "198.51.100.9").status == 303) }
        #expect(try Self.forgot(site, "nadie@ejemplo.mx", from: "198.51.100.9").status == 429)
        #expect(try Self.forgot(site, "nadie@ejemplo.mx", from: "203.0.113.1").status == 303)
    }

    /// A disabled account, or one of a disabled company, gets no link, and a link it had stops.
    @Test func aDisabledAccountGetsNoLink() throws {
        let site = try GatewaySite.make(through: .binary)
        _ = try Self.forgot(site, "bob@beta.mx")
        let token = try #require(site.sentMail().first.flatMap { GatewaySite.linkToken(in: $0.body) })
        #expect(try CLI.run(["org", "disable", "Beta SA", "--site", site.root]).status == 0)
        #expect(try Self.forgot(site, "bob@beta.mx").status == 303)
        #expect(site.sentMail().count == 1)
        #expect(try Self.reset(site, token: token, "nueva-clave-de-bob").status == 400)
        #expect(try site.run("GET", "/tickets", as: site.bob).status == 303, "a disabled company's session ends")
        #expect(try Self.login(site, "bob", GatewaySite.passwords["bob"]!) == 401)
    }
}

@Suite struct MyAccountTests {
    @Test func aPersonChangesTheirPasswordAndTheirOtherSessionsEnd() throws {
        let site = try GatewaySite.make()
        let page = try site.run("GET", "/account", as: site.ana)
        #expect(page.status == 200 && page.body.contains("Ana Pérez") && page.body.contains("ana@acme.mx"))
        // A second session of ana's, elsewhere.
        let other = try site.run("POST", "/login", fields: [("login", "ana"), ("password", GatewaySite.passwords["ana"]!)])
        let second = CGI.Login(token: try #require(other.cookie("belenus_session")), csrf: try #require(other.cookie("belenus_csrf")))
        let wrong = try site.run("POST", "/account/password", as: site.ana,
                                 fields: [("current", "no-es-la-clave"), ("password", "clave-nueva-ana"), ("password2", "clave-nueva-ana")])
        #expect(wrong.status == 400 && wrong.body.contains("Contraseña actual"), "\(wrong.body)")
        #expect(try site.run("GET", "/tickets", as: second).status == 200, "a refused change ends nothing")
        let changed = try site.run("POST", "/account/password", as: site.ana,
                                   fields: [("current", GatewaySite.passwords["ana"]!), ("password", "clave-nueva-ana"), ("password2", "clave-nueva-ana")])
        #expect(changed.status == 303 && changed.location.hasSuffix("/cgi-bin/belenus/account"))
        #expect(try site.run("GET", "/tickets", as: site.ana).status == 200, "this session goes on")
        #expect(try site.run("GET", "/tickets", as: second).status == 303, "the other session ended")
        #expect(try site.run("POST", "/login", fields: [("login", "ana"), ("password", "clave-nueva-ana")]).status == 303)
    }

    @Test func theAccountPageNeedsASession() throws {
        let site = try GatewaySite.make()
        let answer = try site.run("GET", "/account")
        #expect(answer.status == 303 && answer.location.hasSuffix("/login"))
        #expect(try site.run("POST", "/account/password", fields: [("current", "x")]).status == 401)
    }
}

/// SPEC §4: the CLI's administration, through the same store functions, audited.
@Suite struct AdministrationCLITests {
    func cli(_ site: GatewaySite, _ arguments: [String], stdin: String = "") throws -> CLI.Result {
        try CLI.run(arguments + ["--site", site.root], stdin: stdin)
    }

    @Test func anInvitationsLinkSetsTheFirstPassword() throws {
        let site = try GatewaySite.make()
        let invite = try cli(site, ["user", "invite", "carla", "--name", "Carla Díaz", "--email", "carla@acme.mx", "--role", "client", "--org", "Acme S.A."])
        #expect(invite.status == 0, "\(invite.stderr)")
        let mail = try #require(site.sentMail().last)
        #expect(mail.headers.contains("To: carla@acme.mx") && mail.body.contains("carla"))
        let token = try #require(GatewaySite.linkToken(in: mail.body))
        let form = try site.run("GET", "/password/reset", query: "token=\(token)")
        #expect(form.status == 200 && form.body.contains("Carla Díaz"))
        #expect(try site.run("POST", "/password/reset", fields: [("token", token), ("password", "clave-de-carla"), ("password2", "clave-de-carla")]).status == 303)
        #expect(try site.run("POST", "/login", fields: [("login", "carla"), ("password", "clave-de-carla")]).status == 303)
        // A second invitation for the same login or address names the field.
        let again = try cli(site, ["user", "invite", "carla2", "--name", "Otra", "--email", "CARLA@acme.mx", "--role", "client", "--org", "Acme S.A."])
        #expect(again.status != 0 && again.stderr.contains("email"), "\(again.stderr)")
        let audit = try cli(site, ["audit"])
        #expect(audit.stdout.contains("user.invite\tcarla") && audit.stdout.contains("email:  → carla@acme.mx"), "\(audit.stdout)")
        #expect(!audit.stdout.contains(token) && !audit.stdout.contains("clave-de-carla"))
        #expect(audit.stdout.contains("cli:"))
    }

    /// Issue 32's commands: a calendar added, a company given it, its hours changed and a
    /// holiday added; each open ticket of the company laid out again, each change audited.
    @Test func calendarsAreManagedFromTheShell() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        let add = try cli(site, ["calendar", "add", "oficina", "--zone", "America/Mexico_City", "--hours", "mon-fri 09:00-18:00", "--holidays", "mx-lft"])
        #expect(add.status == 0, "\(add.stderr)")
        let bad = try cli(site, ["calendar", "add", "mala", "--zone", "America/Mexico_City", "--hours", "lun 09:00-18:00"])
        #expect(bad.status != 0 && bad.stderr.contains("hours") && bad.stderr.contains("'lun' is not a day"), "\(bad.stderr)")
        let org = try cli(site, ["org", "edit", "Acme S.A.", "--calendar", "oficina"])
        #expect(org.status == 0 && org.stdout.contains("1 open ticket laid out again"), "\(org.stdout) \(org.stderr)")
        #expect(try site.sqlite("SELECT calendar FROM tickets WHERE number = \(n)") == "oficina")
        let due = try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)")
        #expect(try cli(site, ["calendar", "edit", "oficina", "--hours", "mon-fri 09:00-14:00"]).status == 0)
        #expect(try cli(site, ["calendar", "holiday", "oficina", "12-12"]).status == 0)
        #expect(try site.sqlite("SELECT due_at FROM tickets WHERE number = \(n)") != due)
        let list = try cli(site, ["calendar", "list"]).stdout
        #expect(list.contains("oficina\tAmerica/Mexico_City\tmon-fri 09:00-14:00\tmx-lft, 12-12"), "\(list)")
        #expect(list.contains("24x7\t") && list.contains("\tmon-sun 00:00-24:00"))  // UTC, which Foundation names GMT
        let audit = try cli(site, ["audit"]).stdout
        #expect(audit.contains("calendar.add\toficina") && audit.contains("org.edit\tAcme S.A.\tcalendar:  → oficina"), "\(audit)")
        #expect(audit.contains("hours: mon-fri 09:00-18:00 → mon-fri 09:00-14:00"))
    }

    @Test func theLastAdministratorStays() throws {
        let site = try GatewaySite.make()
        let disable = try cli(site, ["user", "disable", "admin1"])
        #expect(disable.status != 0 && disable.stderr.contains("last active administrator"), "\(disable.stderr)")
        let demote = try cli(site, ["user", "edit", "admin1", "--role", "tech"])
        #expect(demote.status != 0 && demote.stderr.contains("last active administrator"))
        #expect(try site.sqlite("SELECT role || disabled FROM users WHERE login = 'admin1'") == "admin0")
        // With a second administrator, the first may go.
        #expect(try cli(site, ["user", "edit", "tech1", "--role", "admin"]).status == 0)
        #expect(try cli(site, ["user", "disable", "admin1"]).status == 0)
        #expect(try site.run("GET", "/tickets", as: site.admin).status == 303, "a disabled account's session ends at once")
        let audit = try cli(site, ["audit"]).stdout
        #expect(audit.contains("user.disable\tadmin1\tactive: true → false") && audit.contains("role: tech → admin"), "\(audit)")
    }

    @Test func aDisabledTechniciansTicketsGoToAColleague() throws {
        let site = try GatewaySite.make()
        #expect(try cli(site, ["user", "add", "tech2", "--name", "Téc Dos", "--email", "tech2@soporte.mx", "--role", "tech"], stdin: "clave-de-tech-2\n").status == 0)
        let open = try site.openTicket(as: site.ana)  // Nómina: tech1 is responsible
        let other = try site.openTicket(as: site.bob, product: "Bancos")
        #expect(try site.run("POST", "/tickets/\(other)/assign", as: site.tech, fields: [("assigned", "tech1")]).status == 303)
        let disable = try cli(site, ["user", "disable", "tech1", "--to", "tech2"])
        #expect(disable.status == 0, "\(disable.stderr)")
        #expect(try site.sqlite("SELECT responsible FROM tickets WHERE number = \(open)") == "tech2")
        #expect(try site.sqlite("SELECT assigned FROM tickets WHERE number = \(other)") == "tech2")
        #expect(try site.sqlite("SELECT COUNT(*) FROM events WHERE kind = 'update' AND changes LIKE '%tech2%'") == "2")
        #expect(try site.run("GET", "/tickets", as: site.tech).status == 303)
        // And back.
        #expect(try cli(site, ["user", "enable", "tech1"]).status == 0)
        #expect(try site.run("POST", "/login", fields: [("login", "tech1"), ("password", GatewaySite.passwords["tech1"]!)]).status == 303)
    }

    @Test func companiesAndProductsAreEditedRetiredAndAudited() throws {
        let site = try GatewaySite.make()
        let n = try site.openTicket(as: site.ana)
        #expect(try cli(site, ["org", "edit", "Acme S.A.", "--name", "Acme Global"]).status == 0)
        #expect(try site.sqlite("SELECT org FROM users WHERE login = 'ana'") == "Acme Global")
        #expect(try site.sqlite("SELECT org FROM tickets WHERE number = \(n)") == "Acme Global")
        #expect(try site.run("GET", "/tickets", as: site.ana, query: "q=timbra").body.contains("No timbra"), "the search still finds her company's tickets")
        #expect(try site.run("GET", "/tickets/\(n)", as: site.ana).body.contains("Acme Global"))
        #expect(try cli(site, ["product", "edit", "Nómina", "--versions", "2025.1,2026.1"]).status == 0)
        let retiredVersion = try site.run("POST", "/tickets", as: site.ana, multipart: [("title", "t"), ("product", "Nómina"), ("version", "2024.1"), ("body", "b")], json: true)
        #expect(retiredVersion.status == 400 && retiredVersion.json["field"] as? String == "version")
        #expect(try cli(site, ["product", "retire", "Bancos"]).status == 0)
        let retired = try site.run("POST", "/tickets", as: site.bob, multipart: [("title", "t"), ("product", "Bancos"), ("version", "3.0"), ("body", "b")], json: true)
        #expect(retired.status == 400 && retired.json["field"] as? String == "product")
        let form = try site.run("GET", "/tickets/new", as: site.bob).body
        #expect(!form.contains(">Bancos<") && form.contains(">2026.1<") && !form.contains(">2024.1<"))
        let audit = try cli(site, ["audit", "--limit", "3"]).stdout.split(separator: "\n")
        #expect(audit.count == 3)
        #expect(audit.first?.contains("product.retire\tBancos") == true && audit.last?.contains("name: Acme S.A. → Acme Global") == true, "\(audit)")
    }

    /// The log refuses to be changed, even by SQL.
    @Test func theAuditLogIsAppendOnly() throws {
        let site = try GatewaySite.make()
        #expect(try cli(site, ["org", "add", "Gamma"]).status == 0)
        #expect(throws: (any Error).self) { try site.sqlite("DELETE FROM audit_log") }
        #expect(throws: (any Error).self) { try site.sqlite("UPDATE audit_log SET actor = 'nadie'") }
        #expect(try site.count("audit_log") == 1)
    }
}
