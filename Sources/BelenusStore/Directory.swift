import BelenusCore
import Foundation
import GRDB



/// Orgs, users and products: the administrator's part of the store (SPEC §4).
extension Store {
    public func addOrg(_ name: String, at now: Date = Date(), by admin: Administrator? = nil) throws {
        let name = try Self.cleanName(name, field: "name")
        try write { db in
            guard try !Self.orgExists(db, name) else {
                throw FieldError(field: "name", message: "org '\(name)' already exists", code: "taken", values: [name])
            }
            try db.execute(sql: "INSERT INTO orgs (name, created_at) VALUES (?, ?)", arguments: [name, Timestamp.iso(now)])
            if let admin { try Self.audit(db, admin, at: now, "org.add", name, [.init("name", "", name)]) }
        }
    }

    /// The companies' names, disabled ones too (their tickets stay).
    public func orgs() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM orgs ORDER BY name") }
    }

    /// The companies with their state and how many people each has.
    public func companies() throws -> [Company] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.rowid AS id, o.name, o.disabled, o.calendar, (SELECT COUNT(*) FROM users u WHERE u.org = o.name) AS people
                FROM orgs o ORDER BY o.name
                """).map {
                    Company(id: $0["id"], name: $0["name"], disabled: $0["disabled"], people: $0["people"], calendar: $0["calendar"])
                }
        }
    }

    /// Renames a company: its people, its tickets and their search words follow, in one
    /// transaction. Returns the tickets whose pages show the old name (the caller marks them stale).
    @discardableResult
    public func renameOrg(_ name: String, to newName: String, at now: Date, by admin: Administrator) throws -> [TicketNumber] {
        let newName = try Self.cleanName(newName, field: "name")
        return try write { db in
            guard try Self.orgExists(db, name) else { throw FieldError.unknown("org", name) }
            guard newName != name else { return [] }
            guard try !Self.orgExists(db, newName) else {
                throw FieldError(field: "name", message: "org '\(newName)' already exists", code: "taken", values: [newName])
            }
            // The references are checked at the commit, once every row names the new company.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            try db.execute(sql: "UPDATE orgs SET name = ? WHERE name = ?", arguments: [newName, name])
            try db.execute(sql: "UPDATE users SET org = ? WHERE org = ?", arguments: [newName, name])
            let numbers = try Int.fetchAll(db, sql: "SELECT number FROM tickets WHERE org = ?", arguments: [name])
            // The index first: it reads the words to remove from the rows (`SearchTexts`).
            let word = TicketRecords.orgWord(newName), shift = TicketRecords.searchShift
            for number in numbers {
                try db.execute(sql: "UPDATE ticket_fts SET org = ? WHERE rowid BETWEEN ? AND ?",
                               arguments: [word, Int64(number) << shift, ((Int64(number) + 1) << shift) - 1])
            }
            try db.execute(sql: "UPDATE tickets SET org = ? WHERE org = ?", arguments: [newName, name])
            try Self.audit(db, admin, at: now, "org.edit", newName, [.init("name", name, newName)])
            return numbers.map { TicketNumber($0) }
        }
    }

    /// A disabled company's people cannot log in, and their sessions end at once; its tickets stay.
    public func setOrgActive(_ name: String, _ active: Bool, at now: Date, by admin: Administrator) throws {
        try write { db in
            guard let disabled = try Bool.fetchOne(db, sql: "SELECT disabled FROM orgs WHERE name = ?", arguments: [name]) else {
                throw FieldError.unknown("org", name)
            }
            guard disabled == active else { return }  // already so: nothing to change or log
            try db.execute(sql: "UPDATE orgs SET disabled = ? WHERE name = ?", arguments: [!active, name])
            if !active {
                try db.execute(sql: "DELETE FROM sessions WHERE login IN (SELECT login FROM users WHERE org = ?)", arguments: [name])
            }
            try Self.audit(
                db, admin, at: now, active ? "org.enable" : "org.disable", name, [.init("active", String(!active), String(active))])
        }
    }

    public func addProduct(
        _ name: String, versions: [String], responsible: Login?, at now: Date = Date(), by admin: Administrator? = nil
    ) throws {
        let name = try Self.cleanName(name, field: "name")
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM products WHERE name = ?", arguments: [name]) == true {
                throw FieldError(field: "name", message: "product '\(name)' already exists", code: "taken", values: [name])
            }
            if let responsible { try Self.requireTechnician(db, responsible) }
            try db.execute(sql: "INSERT INTO products (name, responsible) VALUES (?, ?)", arguments: [name, responsible?.rawValue])
            try Self.offerVersions(db, of: name, versions)
            if let admin {
                try Self.audit(db, admin, at: now, "product.add", name, [
                    .init("name", "", name), .init("versions", "", versions.joined(separator: ", ")),
                    .init("responsible", "", responsible?.rawValue ?? ""),
                ])
            }
        }
    }

    /// What an administrator may change about a product (nil: unchanged).
    public struct ProductEdit: Sendable {
        public var name: String?
        /// The whole list offered for new tickets; the others are retired (old tickets keep them).
        public var versions: [String]?
        /// `.some(nil)`: no default technician.
        public var responsible: Login??
        public var retired: Bool?
        public init(name: String? = nil, versions: [String]? = nil, responsible: Login?? = nil, retired: Bool? = nil) {
            self.name = name
            self.versions = versions
            self.responsible = responsible
            self.retired = retired
        }
    }

    /// Changes a product; a new name follows into its tickets, in one transaction. Returns the
    /// tickets whose pages show the old name (the caller marks them stale).
    @discardableResult
    public func editProduct(_ name: String, _ edit: ProductEdit, at now: Date, by admin: Administrator) throws -> [TicketNumber] {
        try write { db in
            var renamed: [TicketNumber] = []
            guard let old = try Self.fetchProducts(db, where: "name = ?", [name]).first else { throw FieldError.unknown("product", name) }
            var changes: [AuditEntry.Change] = []
            var current = name
            if let newName = try edit.name.map({ try Self.cleanName($0, field: "name") }), newName != name {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM products WHERE name = ?", arguments: [newName]) == true {
                    throw FieldError(field: "name", message: "product '\(newName)' already exists", code: "taken", values: [newName])
                }
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                try db.execute(sql: "UPDATE products SET name = ? WHERE name = ?", arguments: [newName, name])
                try db.execute(sql: "UPDATE product_versions SET product = ? WHERE product = ?", arguments: [newName, name])
                renamed = try Int.fetchAll(db, sql: "SELECT number FROM tickets WHERE product = ?", arguments: [name]).map {
                    TicketNumber($0)
                }
                try db.execute(sql: "UPDATE tickets SET product = ? WHERE product = ?", arguments: [newName, name])
                changes.append(.init("name", name, newName))
                current = newName
            }
            if let versions = edit.versions {
                try Self.offerVersions(db, of: current, versions)
                let list = versions.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: ", ")
                if list != old.versions.joined(separator: ", ") {
                    changes.append(.init("versions", old.versions.joined(separator: ", "), list))
                }
            }
            if let responsible = edit.responsible, responsible != old.responsible {
                if let responsible { try Self.requireTechnician(db, responsible) }
                try db.execute(sql: "UPDATE products SET responsible = ? WHERE name = ?", arguments: [responsible?.rawValue, current])
                changes.append(.init("responsible", old.responsible?.rawValue ?? "", responsible?.rawValue ?? ""))
            }
            if let retired = edit.retired, retired != old.retired {
                try db.execute(sql: "UPDATE products SET retired = ? WHERE name = ?", arguments: [retired, current])
                changes.append(.init("active", String(!old.retired), String(!retired)))
            }
            if !changes.isEmpty {
                let verb = edit.retired == true && changes.count == 1 ? "product.retire" : "product.edit"
                try Self.audit(db, admin, at: now, verb, current, changes)
            }
            return renamed
        }
    }

    /// `versions` become the ones offered for new tickets; any other is kept, retired.
    static func offerVersions(_ db: Database, of product: String, _ versions: [String]) throws {
        let offered = try versions.map { try Self.cleanName($0, field: "versions") }
        try db.execute(sql: "UPDATE product_versions SET retired = 1 WHERE product = ?", arguments: [product])
        for version in offered {
            try db.execute(sql: """
                INSERT INTO product_versions (product, version, retired) VALUES (?, ?, 0)
                ON CONFLICT (product, version) DO UPDATE SET retired = 0
                """, arguments: [product, version])
        }
    }

    /// Every product with the versions it offers; `offered`: only those a new ticket may name
    /// (no retired product).
    public func products(offered: Bool = false) throws -> [Product] {
        try read { db in try Self.fetchProducts(db, where: offered ? "retired = 0" : "1", []) }
    }

    static func fetchProducts(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> [Product] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT rowid AS id, name, responsible, retired FROM products WHERE \(condition) ORDER BY name",
            arguments: arguments)
        let versions = try Row.fetchAll(
            db, sql: "SELECT product, version FROM product_versions WHERE retired = 0 ORDER BY product, version")
        let byProduct = Dictionary(grouping: versions, by: { $0["product"] as String })
        return rows.map { row in
            let name: String = row["name"]
            return Product(
                name: name, versions: (byProduct[name] ?? []).map { $0["version"] },
                responsible: (row["responsible"] as String?).map { Login($0) }, id: row["id"], retired: row["retired"])
        }
    }

    /// Adds an account. A client needs an org that exists; staff have none.
    public func addUser(_ user: User, passwordHash: String?, at now: Date = Date(), by admin: Administrator? = nil) throws {
        try write { db in
            try Self.insertUser(db, user, passwordHash: passwordHash, at: now)
            if let admin {
                try Self.audit(db, admin, at: now, "user.add", user.login.rawValue, [
                    .init("name", "", user.name), .init("email", "", user.email), .init("role", "", user.role.rawValue),
                    .init("org", "", user.org ?? ""),
                ])
            }
        }
    }

    /// A new password ends every session of the account (SPEC §2), in the same transaction.
    public func setPasswordHash(_ hash: String, for login: Login, at now: Date = Date(), by admin: Administrator? = nil) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE login = ?", arguments: [hash, login.rawValue])
            guard db.changesCount == 1 else { throw StoreError("no user '\(login)'") }
            try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [login.rawValue])
            if let admin { try Self.audit(db, admin, at: now, "user.password", login.rawValue, []) }
        }
    }

    public func users() throws -> [User] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY login").map(Self.user(from:)) }
    }

    public func user(_ login: Login) throws -> User? {
        try read { db in try Self.fetchUser(db, login) }
    }

    /// The active technicians and administrators: who a ticket may be assigned to.
    public func technicians() throws -> Set<Login> {
        try read { db in try Self.technicians(db) }
    }

    // MARK: - Inside a transaction

    static func insertUser(_ db: Database, _ user: User, passwordHash: String?, at now: Date) throws {
        let login = user.login.rawValue
        guard !login.isEmpty, login.utf8.count <= Login.maxBytes,
              !login.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
            throw FieldError(field: "login", message: "login '\(login)' must be 1 to \(Login.maxBytes) bytes without spaces",
                             code: "bad_login", values: [String(Login.maxBytes)])
        }
        if try fetchUser(db, user.login) != nil {
            throw FieldError(field: "login", message: "user '\(login)' already exists", code: "taken", values: [login])
        }
        try checkCompany(db, user)
        let email = try cleanEmail(user.email)
        try requireFreeEmail(db, email)
        try db.execute(
            sql: """
                INSERT INTO users (login, name, email, role, org, password_hash, disabled, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [login, try cleanName(user.name, field: "name"), email, user.role.rawValue, user.org,
                        passwordHash, user.disabled, Timestamp.iso(now)])
    }

    /// A client belongs to a company that exists; staff belong to none.
    static func checkCompany(_ db: Database, _ user: User) throws {
        switch (user.role, user.org) {
        case (.client, nil): throw FieldError(field: "org", message: "a client needs --org", code: "client_needs_org")
        case (.client, let org?):
            guard try orgExists(db, org) else {
                throw FieldError(field: "org", message: "unknown org '\(org)'", code: "unknown", values: [org])
            }
        case (_, .some): throw FieldError(field: "org", message: "only clients belong to an org", code: "staff_without_org")
        case (_, nil): break
        }
    }

    /// An address to send to: one `@`, no control character, no list or angle bracket (it goes
    /// into a `To:` header as it is).
    static func cleanEmail(_ text: String) throws -> String {
        let email = text.trimmingCharacters(in: .whitespaces)
        guard ByteText.contains(email, "@"), !ByteText.hasControlCharacters(email), email.utf8.count <= 254,
              !email.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 32 })
        else { throw FieldError(field: "email", message: "email '\(email)' is not an address", code: "not_an_address", values: [email]) }
        return email
    }

    static let fetchUserSQL = "SELECT * FROM users WHERE login = ?"

    static func fetchUser(_ db: Database, _ login: Login) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: fetchUserSQL), arguments: [login.rawValue]).map(user(from:))
    }

    static func user(from row: Row) -> User {
        User(
            login: Login(row["login"] as String), name: row["name"], email: row["email"],
            role: Role(rawValue: row["role"]) ?? .client, org: row["org"], disabled: row["disabled"],
            hasPassword: (row["password_hash"] as String?) != nil, bouncingSince: (row["bouncing_at"] as String?).flatMap(Timestamp.parse))
    }

    static func orgExists(_ db: Database, _ name: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM orgs WHERE name = ?", arguments: [name]) == true
    }

    static let techniciansSQL = "SELECT login FROM users WHERE role != 'client' AND disabled = 0"

    static func technicians(_ db: Database) throws -> Set<Login> {
        Set(try String.fetchAll(db.cachedStatement(sql: techniciansSQL)).map { Login($0) })
    }

    static func requireTechnician(_ db: Database, _ login: Login) throws {
        guard try technicians(db).contains(login) else {
            throw FieldError(field: "responsible", message: "no technician '\(login)'", code: "unknown", values: [login.rawValue])
        }
    }

    /// Trims, and refuses empty names and control characters (which would break mail headers).
    /// The errors name `field`, as a form would (400 on the web, one line in the CLI).
    static func cleanName(_ text: String, field: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw FieldError(field: field, message: "must not be empty", code: "required") }
        guard trimmed.unicodeScalars.count <= 200 else { throw FieldError.tooLong(field, characters: 200) }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FieldError.controlCharacters(field)
        }
        return trimmed
    }
}
