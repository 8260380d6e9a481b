import BelenusBytes

/// Session, CSRF and account-link tokens: 256 random bits as hex; only their SHA-256 is stored.
public enum Secrets {
    public static func newToken() -> String { Hex.random(words: 4) }

    public static func sha256(_ bytes: some Collection<UInt8>) -> String { SHA256.hex(bytes) }

    public static func sha256(_ text: String) -> String { sha256(text.utf8) }
}
