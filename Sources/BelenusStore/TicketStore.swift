import BelenusCore
import Foundation
import GRDB

/// What an action on a ticket is decided with, read in its transaction: the technicians it may
/// go to, and the clock its deadline counts on (the ticket's calendar, the site's policy).
public struct TicketContext: Sendable {
    public let technicians: Set<Login>
    public let clock: SLAClock
}

extension Store {
    /// Creates ticket N+1 from a client's draft: checks product and version, picks the responsible
    /// technician (the product's, else the one with the fewest open tickets), lays out its
    /// deadline in its company's calendar (else `defaultCalendar`), records the event, the
    /// attachments' rows and the mail, all in one transaction.
    public func openTicket(
        _ draft: TicketDraft, by actor: Actor, at now: Date, policy: SLAPolicy, defaultCalendar: String,
        attachments: [NewAttachment] = [], mail: (any ChangeMail)? = nil
    ) throws -> Ticket {
        try write { db in
            let product = try Self.requireProduct(db, draft.product, version: draft.version)
            let responsible = try product.responsible ?? Self.leastBusyTechnician(db)
            let next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM tickets") ?? 1
            let calendar = try Self.calendar(db, forOrg: draft.org, defaultCalendar: defaultCalendar)
            let change = try Ticket.open(
                draft, number: TicketNumber(next), by: actor, responsible: responsible, at: now,
                clock: SLAClock(calendar: calendar, policy: policy))
            try TicketRecords.insert(db, change.ticket)
            try db.execute(sql: "UPDATE tickets SET page_token = ? WHERE number = ?", arguments: [Self.newPageToken(), next])
            let event = try TicketRecords.insert(db, change.event, ticket: change.ticket.number)
            try Self.recordExtras(db, change, event: event, actor: actor, attachments: attachments, mail: mail)
            return change.ticket
        }
    }

    /// Applies an action's result, refusing it (409) if someone changed the ticket in between.
    @discardableResult
    public func record(_ change: TicketChange, replacingRevision revision: Int) throws -> Int64 {
        try write { db in try Self.record(db, change, replacingRevision: revision) }
    }

    /// Reads ticket `number`, lets `action` decide the change (it throws to refuse), and records
    /// the change with its attachments and mail: one transaction, so two requests on one ticket
    /// queue behind each other and each sees the other's result.
    /// - Parameter claim: a received message's id (a reply by mail, SPEC §7): taken in the same
    ///   transaction, and the change refused (409) when it was taken before.
    @discardableResult
    public func change(
        _ number: TicketNumber, by actor: Actor, at now: Date, policy: SLAPolicy, attachments: [NewAttachment] = [],
        mail: (any ChangeMail)? = nil, claim: String? = nil, _ action: (Ticket, TicketContext) throws -> TicketChange
    ) throws -> TicketChange {
        try write(preparing: Self.changeStatements) { db in
            guard let ticket = try Self.fetchTicket(db, number) else { throw RuleViolation(.notFound, "ticket \(number) not found") }
            if let claim {
                try db.execute(
                    sql: "INSERT INTO received_mail (message_id, at, ticket) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [claim, Timestamp.iso(now), number.rawValue])
                guard db.changesCount == 1 else { throw RuleViolation(.conflict, "message \(claim) was taken before") }
            }
            let calendar = try Self.requireCalendar(db, ticket.calendar)
            let change = try action(
                ticket, TicketContext(technicians: try Self.technicians(db), clock: SLAClock(calendar: calendar, policy: policy)))
            let event = try Self.record(db, change, replacingRevision: ticket.revision)
            try Self.recordExtras(db, change, event: event, actor: actor, attachments: attachments, mail: mail)
            return change
        }
    }

    /// What a change's transaction runs, compiled before it takes the write lock. Compiled
    /// inside, they (the `tickets` triggers with the `UPDATE`) were about a quarter of the 2.1 ms
    /// of CPU a comment held the lock for, and under load every other writer waited for them.
    static let changeStatements = [
        fetchTicketSQL, calendarSQL, techniciansSQL, recordSQL, TicketRecords.insertEventSQL, TicketRecords.lastTextSQL,
        TicketRecords.eventTextSQL, TicketRecords.indexEventSQL, personSQL, pageTokenSQL, queueSQL,
    ]

    static let recordSQL = """
        UPDATE tickets SET responsible = ?, assigned = ?, due_at = ?, due_soon_at = ?, waiting_on = ?, paused_at = ?,
            provider_ref = ?, status = ?, revision = ? WHERE number = ? AND revision = ?
        """

    static func record(_ db: Database, _ change: TicketChange, replacingRevision revision: Int) throws -> Int64 {
        let t = change.ticket
        try db.cachedStatement(sql: recordSQL).execute(
            arguments: [t.responsible?.rawValue, t.assigned?.rawValue, Timestamp.iso(t.dueAt), Timestamp.iso(t.dueSoonAt),
                        t.waitingOn.rawValue,
                        t.pausedAt.map(Timestamp.iso), t.providerRef, t.status.rawValue, t.revision, t.number.rawValue, revision])
        guard db.changesCount == 1 else {
            throw RuleViolation(.conflict, "ticket \(t.number) changed meanwhile; reload it")
        }
        return try TicketRecords.insert(db, change.event, ticket: t.number)
    }

    static func recordExtras(
        _ db: Database, _ change: TicketChange, event: Int64, actor: Actor, attachments: [NewAttachment], mail: (any ChangeMail)?
    ) throws {
        let number = change.ticket.number
        for a in attachments {
            try db.execute(
                sql: "INSERT INTO attachments (ticket, event, name, content_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [number.rawValue, event, a.name, a.contentType, a.size, a.sha256, Timestamp.iso(change.event.at)])
        }
        if let mail {
            let to = try recipients(db, for: change.ticket, kind: change.event.kind, actor: actor, supportTeam: mail.supportTeam)
            guard !to.isEmpty else { return }
            let token = try String.fetchOne(db.cachedStatement(sql: pageTokenSQL), arguments: [number.rawValue])
            let (kind, at) = (change.event.kind, change.event.at)
            guard !mail.replyTo.isEmpty else {
                let notice = mail.notice(for: change, pageToken: token, replies: false)
                if let id = try queue(db, notice, to: to.addresses, ticket: number, kind: kind, at: at) { mail.queued(id) }
                return
            }
            // Replies by mail: the team's copy as before; each person's own, signed for them.
            let shared = mail.notice(for: change, pageToken: token, replies: false)
            if let id = try queue(db, shared, to: to.team, ticket: number, kind: kind, at: at) { mail.queued(id) }
            guard !to.people.isEmpty else { return }
            let key = try replyKey(db, at: at)
            let notice = mail.notice(for: change, pageToken: token, replies: true)
            for person in to.people {
                let signed = ReplyToken(ticket: number, person: person.id, keyID: key.id).text(secret: key.secret)
                let replyTo = ReplyToken.address(signed, replyTo: mail.replyTo)
                if let id = try queue(db, notice, to: [person.email], ticket: number, kind: kind, at: at, replyTo: replyTo) {
                    mail.queued(id)
                }
            }
        }
    }

    public func ticket(_ number: TicketNumber) throws -> Ticket? {
        try read { db in try Self.fetchTicket(db, number) }
    }

    static let pageTokenSQL = "SELECT page_token FROM tickets WHERE number = ?"
    static let fetchTicketSQL = "SELECT \(TicketRecords.columns) FROM tickets WHERE number = ?"

    static func fetchTicket(_ db: Database, _ number: TicketNumber) throws -> Ticket? {
        try Row.fetchOne(db.cachedStatement(sql: fetchTicketSQL), arguments: [number.rawValue]).map(TicketRecords.ticket(from:))
    }

    public func ticketCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tickets") ?? 0 }
    }

    /// Every ticket (or those of `numbers` that exist) without its body, in number order: for
    /// lists and fingerprints.
    public func ticketSummaries(_ numbers: [TicketNumber]? = nil) throws -> [Ticket] {
        let only = numbers.map { " WHERE number IN (\($0.map { String($0.rawValue) }.joined(separator: ",")))" } ?? ""
        return try read { db in
            try Array(Row.fetchCursor(db, sql: "SELECT \(TicketRecords.summaryColumns) FROM tickets\(only) ORDER BY number")
                .map(TicketRecords.ticket(from:)))
        }
    }

    /// Tickets with their history, attachments and the names of the people in them.
    public func ticketDetails(_ numbers: [TicketNumber]) throws -> [TicketDetails] {
        guard !numbers.isEmpty else { return [] }
        return try read { db in
            let list = numbers.map { String($0.rawValue) }.joined(separator: ",")
            // Rows read through cursors, each mapped where it stands: `fetchAll` copies every row
            // with its column names first (6 % of a full build's CPU).
            let tickets = try Array(
                Row.fetchCursor(db, sql: "SELECT \(TicketRecords.columns) FROM tickets WHERE number IN (\(list)) ORDER BY number")
                    .map(TicketRecords.ticket(from:)))
            var events: [Int: [StoredEvent]] = [:]
            let eventRows = try Row.fetchCursor(
                db, sql: "SELECT \(TicketRecords.eventColumns) FROM events WHERE ticket IN (\(list)) ORDER BY id")
            while let row = try eventRows.next() { events[row[1] as Int, default: []].append(TicketRecords.event(from: row)) }
            let attachments = Dictionary(grouping: try Row.fetchAll(db, sql: """
                SELECT * FROM attachments WHERE ticket IN (\(list)) ORDER BY id
                """).map(TicketRecords.attachment(from:)), by: \.ticket)
            // The names of the people these pages name, not of every account: a regeneration's
            // ticket names a few, a site has thousands of clients (a comment read them all: 1 ms).
            var logins = Set<String>()
            for ticket in tickets {
                for login in [ticket.requester, ticket.responsible, ticket.assigned].compactMap({ $0 }) { logins.insert(login.rawValue) }
            }
            for event in events.values.joined().map(\.event) {
                logins.insert(event.actor.rawValue)
                for change in event.changes where change.field == "responsible" || change.field == "assigned" {
                    for value in [change.from, change.to].compactMap({ $0 }) { logins.insert(value) }
                }
            }
            let names = try Self.displayNames(db, of: logins)
            let approved = tickets.filter { $0.status == .approved }
            let people =
                approved.isEmpty
                ? [] : try Self.clientPeople(db, orgs: Set(approved.map(\.org)), logins: Set(approved.map(\.requester.rawValue)))
            // One per company and requester: a batch's approved tickets share a few.
            func key(_ ticket: Ticket) -> String { ticket.org + "\u{0}" + ticket.requester.rawValue }
            var clientNames: [String: ClientNames] = [:]
            for ticket in approved where clientNames[key(ticket)] == nil {
                let theirs = people.filter { $0.org == ticket.org || $0.person.login == ticket.requester.rawValue }.map(\.person)
                clientNames[key(ticket)] = ClientNames(company: ticket.org, people: theirs)
            }
            return tickets.map { ticket in
                TicketDetails(
                    ticket: ticket, events: events[ticket.number.rawValue] ?? [],
                    attachments: attachments[ticket.number] ?? [], names: names,
                    clientNames: clientNames[key(ticket)])
            }
        }
    }

    /// The people of `ticket`'s company and its requester: whom an article made of it must not name.
    public func clientPeople(of ticket: Ticket) throws -> [ClientNames.Person] {
        try read { db in try Self.clientPeople(db, orgs: [ticket.org], logins: [ticket.requester.rawValue]).map(\.person) }
    }

    static func clientPeople(
        _ db: Database, orgs: Set<String>, logins: Set<String>
    ) throws -> [(org: String?, person: ClientNames.Person)] {
        let encode = { (values: Set<String>) in String(decoding: try JSONEncoder().encode(values.sorted()), as: UTF8.self) }
        return try Row.fetchAll(db, sql: """
            SELECT login, name, email, org FROM users
            WHERE org IN (SELECT value FROM json_each(?)) OR login IN (SELECT value FROM json_each(?))
            """, arguments: [try encode(orgs), try encode(logins)]).map {
            (org: $0["org"], person: ClientNames.Person(name: $0["name"], login: $0["login"], email: $0["email"]))
        }
    }

    /// The display names of `logins` (one argument: a JSON array read by `json_each`).
    static func displayNames(_ db: Database, of logins: Set<String>) throws -> [Login: String] {
        guard !logins.isEmpty else { return [:] }
        let list = String(decoding: try JSONEncoder().encode(logins.sorted()), as: UTF8.self)
        return try names(db, sql: "SELECT login, name FROM users WHERE login IN (SELECT value FROM json_each(?))", arguments: [list])
    }

    /// The technicians' and administrators' display names, disabled ones too: the people a
    /// deadline, an assignment or a dashboard row names.
    public func staffNames() throws -> [Login: String] {
        try read { db in try Self.names(db, sql: "SELECT login, name FROM users WHERE role != 'client'") }
    }

    /// The technicians a ticket may be assigned to, by login: the forms of a ticket page.
    public func activeStaff() throws -> [(login: Login, name: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT login, name FROM users WHERE role != 'client' AND disabled = 0 ORDER BY login")
                .map { (login: Login($0["login"] as String), name: $0["name"]) }
        }
    }

    private static func names(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Login: String] {
        var names: [Login: String] = [:]
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { names[Login(row[0] as String)] = row[1] }
        return names
    }

    static func requireProduct(_ db: Database, _ name: String, version: String) throws -> Product {
        // A retired product, or a retired version, is not offered for new tickets (SPEC §2).
        guard
            let row = try Row.fetchOne(db, sql: "SELECT name, responsible FROM products WHERE name = ? AND retired = 0", arguments: [name])
        else { throw FieldError.unknown("product", name) }
        let all = try Row.fetchAll(db, sql: "SELECT version, retired FROM product_versions WHERE product = ?", arguments: [name])
        let versions = all.filter { !($0["retired"] as Bool) }.map { $0["version"] as String }
        if !all.isEmpty, !versions.contains(version) {
            throw FieldError.notAVersion(version, of: name)
        }
        return Product(name: name, versions: versions, responsible: (row["responsible"] as String?).map { Login($0) })
    }

    static func leastBusyTechnician(_ db: Database) throws -> Login? {
        try String.fetchOne(db, sql: """
            SELECT u.login FROM users u
            LEFT JOIN tickets t ON t.responsible = u.login AND t.status = 'open'
            WHERE u.role = 'tech' AND u.disabled = 0
            GROUP BY u.login ORDER BY COUNT(t.number), u.login LIMIT 1
            """).map { Login($0) }
    }
}
