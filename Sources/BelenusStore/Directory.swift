import BelenusCore
import Foundation
import GRDB



/// Orgs, users and products: the administrator's part of the store (SPEC §4).
extension Store {
    public func addOrg(_ name: String, at now: Date = Date()) throws {
        let name = try Self.cleanName(name, field: "org")
        try write { db in
            guard try !Self.orgExists(db, name) else { throw StoreError("org '\(name)' already exists") }
            try db.execute(sql: "INSERT INTO orgs (name, created_at) VALUES (?, ?)", arguments: [name, Timestamp.iso(now)])
        }
    }

    public func orgs() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM orgs ORDER BY name") }
    }

    public func addProduct(_ name: String, versions: [String], responsible: Login?) throws {
        let name = try Self.cleanName(name, field: "product")
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM products WHERE name = ?", arguments: [name]) == true {
                throw StoreError("product '\(name)' already exists")
            }
            if let responsible { try Self.requireTechnician(db, responsible) }
            try db.execute(sql: "INSERT INTO products (name, responsible) VALUES (?, ?)", arguments: [name, responsible?.rawValue])
            for version in versions {
                let version = try Self.cleanName(version, field: "version")
                try db.execute(sql: "INSERT OR IGNORE INTO product_versions (product, version) VALUES (?, ?)", arguments: [name, version])
            }
        }
    }

    public func products() throws -> [Product] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, responsible FROM products ORDER BY name")
            let versions = try Row.fetchAll(db, sql: "SELECT product, version FROM product_versions ORDER BY product, version")
            let byProduct = Dictionary(grouping: versions, by: { $0["product"] as String })
            return rows.map { row in
                let name: String = row["name"]
                return Product(
                    name: name, versions: (byProduct[name] ?? []).map { $0["version"] },
                    responsible: (row["responsible"] as String?).map { Login($0) })
            }
        }
    }

    /// Adds an account. A client needs an org that exists; staff have none.
    public func addUser(_ user: User, passwordHash: String?, at now: Date = Date()) throws {
        try write { db in try Self.insertUser(db, user, passwordHash: passwordHash, at: now) }
    }

    /// A new password ends every session of the account (SPEC §2), in the same transaction.
    public func setPasswordHash(_ hash: String, for login: Login) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE login = ?", arguments: [hash, login.rawValue])
            guard db.changesCount == 1 else { throw StoreError("no user '\(login)'") }
            try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [login.rawValue])
        }
    }

    /// A disabled account keeps its history but cannot log in; its sessions end.
    public func disableUser(_ login: Login) throws {
        try write { db in
            try db.execute(sql: "UPDATE users SET disabled = 1 WHERE login = ?", arguments: [login.rawValue])
            guard db.changesCount == 1 else { throw StoreError("no user '\(login)'") }
            try db.execute(sql: "DELETE FROM sessions WHERE login = ?", arguments: [login.rawValue])
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
            throw StoreError("login '\(login)' must be 1 to \(Login.maxBytes) bytes without spaces")
        }
        if try fetchUser(db, user.login) != nil { throw StoreError("user '\(login)' already exists") }
        switch (user.role, user.org) {
        case (.client, nil): throw StoreError("a client needs --org")
        case (.client, let org?): guard try orgExists(db, org) else { throw StoreError("unknown org '\(org)'") }
        case (_, .some): throw StoreError("only clients belong to an org")
        case (_, nil): break
        }
        let email = user.email.trimmingCharacters(in: .whitespaces)
        guard ByteText.contains(email, "@"), !ByteText.hasControlCharacters(email),
              !email.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            throw StoreError("email '\(email)' is not an address")
        }
        try db.execute(
            sql: """
                INSERT INTO users (login, name, email, role, org, password_hash, disabled, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [login, try cleanName(user.name, field: "name"), email, user.role.rawValue, user.org,
                        passwordHash, user.disabled, Timestamp.iso(now)])
    }

    static let fetchUserSQL = "SELECT * FROM users WHERE login = ?"

    static func fetchUser(_ db: Database, _ login: Login) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: fetchUserSQL), arguments: [login.rawValue]).map(user(from:))
    }

    static func user(from row: Row) -> User {
        User(
            login: Login(row["login"] as String), name: row["name"], email: row["email"],
            role: Role(rawValue: row["role"]) ?? .client, org: row["org"], disabled: row["disabled"],
            hasPassword: (row["password_hash"] as String?) != nil)
    }

    static func orgExists(_ db: Database, _ name: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM orgs WHERE name = ?", arguments: [name]) == true
    }

    static let techniciansSQL = "SELECT login FROM users WHERE role != 'client' AND disabled = 0"

    static func technicians(_ db: Database) throws -> Set<Login> {
        Set(try String.fetchAll(db.cachedStatement(sql: techniciansSQL)).map { Login($0) })
    }

    static func requireTechnician(_ db: Database, _ login: Login) throws {
        guard try technicians(db).contains(login) else { throw StoreError("no technician '\(login)'") }
    }

    /// Trims, and refuses empty names and control characters (which would break mail headers).
    static func cleanName(_ text: String, field: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw StoreError("\(field) must not be empty") }
        guard trimmed.unicodeScalars.count <= 200 else { throw StoreError("\(field) is longer than 200 characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError("\(field) '\(trimmed)' contains control characters")
        }
        return trimmed
    }
}
