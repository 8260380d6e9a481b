/// FNV-1a, 64 bits: a stable hash (unlike `Hasher`, the same in every process) for page
/// fingerprints and content hashes. Not for security.
public enum FNV1a {
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where Bytes.Element == UInt8 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return h
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Hex.string(hash(bytes))
    }

    public static func hex(_ text: String) -> String { hex(text.utf8) }
}
