import BelenusCore
import Foundation
import GRDB

/// The secret part of a ticket page's URL with `ticket_pages = "link"` (SPEC §6): 128 random
/// bits as hex. Every ticket gets one when it is created (in either mode), so switching a site
/// to link mode needs no migration; imported tickets get theirs at the next build.
extension Store {
    static func newPageToken() -> String { Hex.random(words: 2) }

    /// Tokens by ticket number (all tickets, or `numbers`).
    public func pageTokens(_ numbers: [TicketNumber]? = nil) throws -> [TicketNumber: String] {
        try read { db in
            var sql = "SELECT number, page_token FROM tickets WHERE page_token IS NOT NULL"
            if let numbers { sql += " AND number IN (\(numbers.map { String($0.rawValue) }.joined(separator: ",")))" }
            var tokens: [TicketNumber: String] = [:]
            for row in try Row.fetchAll(db, sql: sql) { tokens[TicketNumber(row["number"] as Int)] = row["page_token"] }
            return tokens
        }
    }

    /// Gives a token to every ticket that has none; returns how many got one.
    @discardableResult
    public func assignMissingPageTokens() throws -> Int {
        try write { db in
            let missing = try Int.fetchAll(db, sql: "SELECT number FROM tickets WHERE page_token IS NULL")
            let update = try db.cachedStatement(sql: "UPDATE tickets SET page_token = ? WHERE number = ?")
            for number in missing { try update.execute(arguments: [Self.newPageToken(), number]) }
            return missing.count
        }
    }

    /// A new token for ticket `number`; the old one stops working. Returns (old, new).
    public func relink(_ number: TicketNumber) throws -> (old: String?, new: String) {
        try write { db in
            let sql = "SELECT page_token FROM tickets WHERE number = ?"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [number.rawValue]) else {
                throw StoreError("no ticket \(number)")
            }
            let new = Self.newPageToken()
            try db.execute(sql: "UPDATE tickets SET page_token = ? WHERE number = ?", arguments: [new, number.rawValue])
            return (row["page_token"], new)
        }
    }
}
