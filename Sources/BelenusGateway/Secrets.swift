import BelenusCore

/// Session and CSRF tokens: 256 random bits as hex; only their SHA-256 is stored.
enum Secrets {
    static func newToken() -> String { Hex.random(words: 4) }

    static func sha256(_ bytes: some Collection<UInt8>) -> String { SHA256.hex(bytes) }

    static func sha256(_ text: String) -> String { sha256(text.utf8) }
}
