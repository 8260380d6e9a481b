import BelenusBytes

/// The token of a reply address (SPEC §7, "Replies by mail"): the ticket and the person a
/// notification went to, the key it was signed with, and 96 bits of an HMAC-SHA256 over them
/// under that key. Its text, `t12-p34-k1-` and 24 hex digits, is lower-case letters, digits and
/// hyphens only: a mail server may lower-case a local part, and `+` separates it from the
/// mailbox (`soporte+t12-p34-k1-…@example.mx`). Unlike an md5 of an id (FreeScout #2375), it
/// cannot be made without the key, and it names one person, whose address `From` must be.
public struct ReplyToken: Hashable, Sendable {
    public let ticket: TicketNumber
    /// The person's row id (`users.rowid`).
    public let person: Int64
    public let keyID: Int64

    public init(ticket: TicketNumber, person: Int64, keyID: Int64) {
        self.ticket = ticket
        self.person = person
        self.keyID = keyID
    }

    /// How many hex digits of the MAC the token keeps: 96 bits.
    static let macDigits = 24

    /// The token's text, signed with `secret` (the key `keyID` names).
    public func text(secret: [UInt8]) -> String { "\(prefix)\(mac(secret))" }

    var prefix: String { "t\(ticket.rawValue)-p\(person)-k\(keyID)-" }

    func mac(_ secret: [UInt8]) -> String {
        String(Hex.string(HMACSHA256.mac(key: secret, message: Array("belenus-reply:\(prefix)".utf8))).prefix(Self.macDigits))
    }

    /// The token in `text` when its MAC is right under `secret(keyID)` (nil: no such key);
    /// nil for anything else. Checked by bytes; the MAC compared in constant time.
    public static func verified(_ text: String, secret: (Int64) -> [UInt8]?) -> ReplyToken? {
        let parts = Array(text.lowercased().utf8).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard text.utf8.count <= 80, parts.count == 4, parts[3].count == macDigits,
              let ticket = number(parts[0], after: "t"), let person = number(parts[1], after: "p"), let key = number(parts[2], after: "k"),
              ticket > 0, ticket <= Int64(Int32.max), let secret = secret(key)
        else { return nil }
        let token = ReplyToken(ticket: TicketNumber(Int(ticket)), person: person, keyID: key)
        return HMACSHA256.same(Array(token.mac(secret).utf8), Array(parts[3])) ? token : nil
    }

    /// `letter` then 1–18 decimal digits, as a number.
    private static func number(_ part: ArraySlice<UInt8>, after letter: Character) -> Int64? {
        guard part.first == letter.asciiValue, part.count >= 2, part.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in part.dropFirst() {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }

    /// `LOCAL+TOKEN@DOMAIN` from `replyTo` (`LOCAL@DOMAIN`, `[mail] reply_to`).
    public static func address(_ token: String, replyTo: String) -> String {
        guard let at = replyTo.utf8.lastIndex(of: UInt8(ascii: "@")) else { return replyTo }
        return String(replyTo[..<at]) + "+" + token + String(replyTo[at...])
    }

    /// The token of an address `LOCAL+TOKEN@DOMAIN` whose LOCAL and DOMAIN are those of
    /// `replyTo` (without case); nil for any other address.
    public static func token(in address: String, replyTo: String) -> String? {
        let bytes = Array(address.lowercased().utf8), mailbox = Array(replyTo.lowercased().utf8)
        guard let at = mailbox.lastIndex(of: UInt8(ascii: "@")), let addressAt = bytes.lastIndex(of: UInt8(ascii: "@")),
              bytes[addressAt...] == mailbox[at...], bytes[..<addressAt].starts(with: mailbox[..<at] + [UInt8(ascii: "+")])
        else { return nil }
        return String(decoding: bytes[(at + 1)..<addressAt], as: UTF8.self)
    }
}
