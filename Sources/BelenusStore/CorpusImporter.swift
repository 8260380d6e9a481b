import BelenusCore
import Foundation
import GRDB

/// Imports tickets in the corpus format of `shared/bench/gen_corpus.py` (one JSON object a line),
/// creating the orgs, products, versions, requesters and technicians they name.
///
/// All or nothing: one transaction, so a broken line leaves the database as it was and the
/// error names the line. Imported people get no password: they log in after `user passwd`.
public struct CorpusImporter {
    struct Line: Decodable {
        struct Person: Decodable { let name: String; let email: String }
        struct Comment: Decodable { let author: String; let at: String; let body_md: String }
        let number: Int
        let title: String
        let product: String
        let version: String
        let client: String
        let requester: Person
        let created_at: String
        let due_at: String
        let status: String
        let waiting_on: String
        let responsible: String
        let assigned: String?
        let provider_ref: String?
        let body_md: String
        let comments: [Comment]
    }

    let store: Store
    /// Called every 1,000 lines with the count so far.
    let progress: (Int) -> Void

    public init(store: Store, progress: @escaping (Int) -> Void = { _ in }) {
        self.store = store
        self.progress = progress
    }

    /// Returns the number of tickets imported.
    public func importFile(_ path: String) throws -> Int {
        var reader = try LineReader(path: path)
        let decoder = JSONDecoder()
        defer { try? store.checkpoint() }  // the WAL holds the whole import: see `Store.checkpoint`
        return try store.write { db in
            var known = try Known(db)
            var count = 0
            var lineNumber = 0
            while let bytes = reader.next() {
                lineNumber += 1
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                do {
                    let line = try decoder.decode(Line.self, from: bytes)
                    try insert(line, db: db, known: &known)
                } catch let error as DecodingError {
                    throw StoreError("\(path):\(lineNumber): \(Self.describe(error))")
                } catch {
                    throw StoreError("\(path):\(lineNumber): \(error)")
                }
                count += 1
                if count % 1000 == 0 { progress(count) }
            }
            return count
        }
    }

    /// The names already in the database, so each is looked up once.
    struct Known {
        var orgs: Set<String>
        var products: Set<String>
        var versions: Set<String>
        var users: [String: Role]

        init(_ db: Database) throws {
            orgs = Set(try String.fetchAll(db, sql: "SELECT name FROM orgs"))
            products = Set(try String.fetchAll(db, sql: "SELECT name FROM products"))
            versions = Set(try Row.fetchAll(db, sql: "SELECT product, version FROM product_versions")
                .map { "\($0["product"] as String)\u{0}\($0["version"] as String)" })
            users = [:]
            for row in try Row.fetchAll(db, sql: "SELECT login, role FROM users") {
                users[row["login"]] = Role(rawValue: row["role"]) ?? .client
            }
        }
    }

    private func insert(_ line: Line, db: Database, known: inout Known) throws {
        guard let status = TicketStatus(rawValue: line.status) else { throw StoreError("status: unknown '\(line.status)'") }
        guard let waiting = WaitingOn(rawValue: line.waiting_on) else { throw StoreError("waiting_on: unknown '\(line.waiting_on)'") }
        guard let created = Timestamp.parse(line.created_at) else { throw StoreError("created_at: not a time '\(line.created_at)'") }
        guard let due = Timestamp.parse(line.due_at) else { throw StoreError("due_at: not a time '\(line.due_at)'") }
        guard line.number > 0 else { throw StoreError("number: must be 1 or more") }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM tickets WHERE number = ?", arguments: [line.number]) == true {
            throw StoreError("number: ticket \(line.number) already exists")
        }
        let now = created
        if !known.orgs.contains(line.client) {
            try db.execute(sql: "INSERT INTO orgs (name, created_at) VALUES (?, ?)", arguments: [line.client, Timestamp.iso(now)])
            known.orgs.insert(line.client)
        }
        let techs = [line.responsible] + (line.assigned.map { [$0] } ?? [])
        for tech in techs { try ensureTechnician(tech, db: db, known: &known, at: now) }
        if !known.products.contains(line.product) {
            try db.execute(sql: "INSERT INTO products (name) VALUES (?)", arguments: [line.product])
            known.products.insert(line.product)
        }
        let versionKey = "\(line.product)\u{0}\(line.version)"
        if !known.versions.contains(versionKey) {
            try db.execute(sql: "INSERT INTO product_versions (product, version) VALUES (?, ?)", arguments: [line.product, line.version])
            known.versions.insert(versionKey)
        }
        let requester = line.requester.email.lowercased()
        switch known.users[requester] {
        case nil:
            let user = User(login: Login(requester), name: line.requester.name, email: line.requester.email, role: .client,
                            org: line.client, disabled: false, hasPassword: false)
            try Store.insertUser(db, user, passwordHash: nil, at: now)
            known.users[requester] = .client
        case .client?: break
        default: throw StoreError("requester: '\(requester)' is staff, not a client")
        }

        var events: [TicketEvent] = [TicketEvent(kind: .created, actor: Login(requester), at: created)]
        for comment in line.comments {
            guard let at = Timestamp.parse(comment.at) else { throw StoreError("comments: not a time '\(comment.at)'") }
            // The corpus names the requester by full name and a technician by login.
            let author = comment.author == line.requester.name ? requester : comment.author
            if author != requester { try ensureTechnician(author, db: db, known: &known, at: now) }
            events.append(TicketEvent(kind: .comment, actor: Login(author), at: at, body: comment.body_md))
        }
        let ticket = Ticket(
            number: TicketNumber(line.number), title: line.title, product: line.product, version: line.version,
            body: line.body_md, org: line.client, requester: Login(requester), createdAt: created,
            responsible: Login(line.responsible), assigned: line.assigned.map { Login($0) }, dueAt: due,
            waitingOn: waiting, pausedAt: status == .open && waiting != .support ? events.last?.at : nil,
            providerRef: line.provider_ref, status: status, revision: events.count)
        try TicketRecords.insert(db, ticket)
        for event in events { try TicketRecords.insert(db, event, ticket: ticket.number) }
    }

    private func ensureTechnician(_ login: String, db: Database, known: inout Known, at now: Date) throws {
        switch known.users[login] {
        case nil:
            let user = User(login: Login(login), name: login, email: "\(login)@localhost", role: .tech, org: nil,
                            disabled: false, hasPassword: false)
            try Store.insertUser(db, user, passwordHash: nil, at: now)
            known.users[login] = .tech
        case .client?: throw StoreError("'\(login)' is a client, not a technician")
        default: break
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .dataCorrupted: "not valid JSON"
        @unknown default: "\(error)"
        }
    }
}
