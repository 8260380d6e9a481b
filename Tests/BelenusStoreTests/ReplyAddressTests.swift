import BelenusCore
@testable import BelenusStore
import Foundation
import Testing

// Replies by mail, the store's half (SPEC §7, issue 33): with `reply_to`, each person's
// notification is queued on its own with a signed reply address; the team's copy is not.

@Test func eachPersonsNotificationCarriesTheirOwnSignedReplyAddress() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    let mail = RecordedMail(supportTeam: ["equipo@soporte.mx"], replyTo: "soporte@example.mx")
    try store.change(ticket.number, by: ana, at: t0 + 60, policy: policy, mail: mail) { t, context in
        try t.comment("Sigue fallando.", by: ana, at: t0 + 60, clock: context.clock)
    }
    let jg = try store.change(ticket.number, by: jgarcia, at: t0 + 120, policy: policy, mail: mail) { t, context in
        try t.comment("¿Nos manda el XML?", by: jgarcia, at: t0 + 120, clock: context.clock)
    }
    let rows = try store.queuedMail(ids: mail.queuedIDs)
    #expect(rows.count == mail.queuedIDs.count && rows.count >= 2)
    // The team's copies: no reply address, the no-reply words.
    for row in rows where row.recipients.contains("equipo@soporte.mx") {
        #expect(row.replyTo == nil && row.body == "b" && row.recipients == ["equipo@soporte.mx"])
    }
    // Ana's copy of the technician's comment: hers alone, signed for her and this ticket.
    let hers = try #require(rows.last { $0.recipients == ["ana@acme.mx"] })
    #expect(hers.body == "b, respóndalo")
    let address = try #require(hers.replyTo)
    let token = try #require(ReplyToken.token(in: address, replyTo: "soporte@example.mx"))
    #expect(address.hasPrefix("soporte+t\(ticket.number.rawValue)-p") && address.hasSuffix("@example.mx"))
    let target = try #require(try store.replyTarget(token: token, at: t0 + 200))
    #expect(target.ticket == jg.ticket.number && target.person.login == Login("ana"))
    // Nobody else's address: a token for ana verifies as ana only.
    #expect(rows.compactMap(\.replyTo).count == Set(rows.compactMap(\.replyTo)).count)
}

@Test func withoutReplyToOneMailGoesToEveryoneAndNoKeyIsMade() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    let mail = RecordedMail(supportTeam: ["equipo@soporte.mx"])
    try store.change(ticket.number, by: jgarcia, at: t0 + 120, policy: policy, mail: mail) { t, context in
        try t.comment("¿Nos manda el XML?", by: jgarcia, at: t0 + 120, clock: context.clock)
    }
    let rows = try store.queuedMail(ids: mail.queuedIDs)
    #expect(rows.count == 1 && rows[0].replyTo == nil && rows[0].body == "b")
    #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reply_keys") } == 0)
}

@Test func aRotatedKeyStillChecksItsAddressesForNinetyDaysThenNot() throws {
    let store = try seededStore()
    let ticket = try store.openTicket(draft(), by: ana, at: t0, policy: policy, defaultCalendar: "24x7")
    let mail = RecordedMail(replyTo: "soporte@example.mx")
    try store.change(ticket.number, by: jgarcia, at: t0, policy: policy, mail: mail) { t, context in
        try t.comment("Hola.", by: jgarcia, at: t0, clock: context.clock)
    }
    let address = try #require(try store.queuedMail(ids: mail.queuedIDs).compactMap(\.replyTo).first)
    let token = try #require(ReplyToken.token(in: address, replyTo: "soporte@example.mx"))
    let rotated = t0 + 86_400
    let newKey = try store.rotateReplyKey(at: rotated)
    #expect(try store.replyTarget(token: token, at: rotated + 89 * 86_400)?.person.login == Login("ana"))
    #expect(try store.replyTarget(token: token, at: rotated + 91 * 86_400) == nil)
    // New mail is signed with the new key.
    let later = RecordedMail(replyTo: "soporte@example.mx")
    try store.change(ticket.number, by: jgarcia, at: rotated, policy: policy, mail: later) { t, context in
        try t.comment("Otra vez.", by: jgarcia, at: rotated, clock: context.clock)
    }
    let fresh = try #require(try store.queuedMail(ids: later.queuedIDs).compactMap(\.replyTo).first)
    #expect(fresh.contains("-k\(newKey)-"))
    // A token whose person does not exist, or tampered: nothing.
    #expect(try store.replyTarget(token: token.replacingOccurrences(of: "-p", with: "-p9"), at: rotated) == nil)
}
