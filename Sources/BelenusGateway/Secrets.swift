import BelenusCore
import Crypto
import Foundation

/// Session and CSRF tokens: 256 random bits as hex; only their SHA-256 is stored.
enum Secrets {
    static func newToken() -> String { Hex.random(words: 4) }

    static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        Hex.string(SHA256.hash(data: Array(bytes)))
    }

    static func sha256(_ text: String) -> String { sha256(text.utf8) }

    /// Compares without stopping at the first difference, so timing tells nothing.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
