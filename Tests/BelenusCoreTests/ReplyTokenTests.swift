import BelenusBytes
import BelenusCore
import Crypto
import Foundation
import Testing

// Signed reply addresses (SPEC §7, issue 33).

@Test(arguments: [
    ([UInt8](repeating: 0x0b, count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (Array("Jefe".utf8), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
])
func hmacMatchesRFC4231(key: [UInt8], message: String, expected: String) {
    #expect(Hex.string(HMACSHA256.mac(key: key, message: Array(message.utf8))) == expected)
}

@Test func hmacMatchesSwiftCryptoOnRandomKeysAndMessages() {
    var generator = SystemRandomNumberGenerator()
    for length in [0, 1, 55, 63, 64, 65, 127, 128, 200] {
        let key = (0..<(length % 150)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let theirs = Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        #expect(HMACSHA256.mac(key: key, message: message) == theirs, "length \(length)")
    }
}

@Test func aReplyTokenVerifiesOnlyUnchangedAndUnderItsKey() throws {
    let secret = Array("una-clave-de-prueba-de-32-bytes!".utf8), other = Array("otra-clave-de-prueba-de-32-bytes".utf8)
    let token = ReplyToken(ticket: TicketNumber(1234), person: 56, keyID: 2)
    let text = token.text(secret: secret)
    #expect(text.hasPrefix("t1234-p56-k2-") && text.utf8.count == 13 + 24)
    #expect(text.utf8.allSatisfy { (48...57).contains($0) || (97...122).contains($0) || $0 == UInt8(ascii: "-") })
    func keys(_ id: Int64) -> [UInt8]? { id == 2 ? secret : id == 3 ? other : nil }
    #expect(ReplyToken.verified(text, secret: keys) == token)
    #expect(ReplyToken.verified(text.uppercased(), secret: keys) == token)  // a relay that upper-cases it
    // Another ticket, person or key with the same MAC; a changed digit; an unknown key; junk.
    let mac = String(text.suffix(24))
    for forged in ["t1235-p56-k2-\(mac)", "t1234-p57-k2-\(mac)", "t1234-p56-k3-\(mac)", "t1234-p56-k9-\(mac)",
                   String(text.dropLast()) + (text.last == "0" ? "1" : "0"), "t1234-p56-k2-", "", "t-p-k-", "t1234-p56-k2-\(mac)-x",
                   "t1234\u{0301}-p56-k2-\(mac)", "t99999999999999999999-p56-k2-\(mac)"] {
        #expect(ReplyToken.verified(forged, secret: keys) == nil, "\(forged)")
    }
}

@Test func aReplyAddressCarriesTheTokenAndGivesItBack() {
    let address = ReplyToken.address("t1-p2-k3-abc", replyTo: "soporte@example.mx")
    #expect(address == "soporte+t1-p2-k3-abc@example.mx")
    #expect(ReplyToken.token(in: address, replyTo: "soporte@example.mx") == "t1-p2-k3-abc")
    #expect(ReplyToken.token(in: "Soporte+T1-P2-K3-ABC@Example.MX", replyTo: "soporte@example.mx") == "t1-p2-k3-abc")
    #expect(ReplyToken.token(in: "ventas+t1-p2-k3-abc@example.mx", replyTo: "soporte@example.mx") == nil)
    #expect(ReplyToken.token(in: "soporte+t1-p2-k3-abc@example.com", replyTo: "soporte@example.mx") == nil)
    #expect(ReplyToken.token(in: "soporte@example.mx", replyTo: "soporte@example.mx") == nil)
}
