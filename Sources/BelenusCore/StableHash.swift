/// A stable 64-bit hash (unlike `Hasher`, the same in every process and on every machine) for
/// page fingerprints and content hashes. Not for security.
///
/// FNV-1a's xor and multiply, taken eight bytes at a time (the tail byte by byte): a build hashes
/// every page it renders, and byte by byte that was 4 % of a full build's CPU.
public enum StableHash {
    public static let prime: UInt64 = 0x100_0000_01b3
    public static let basis: UInt64 = 0xcbf2_9ce4_8422_2325

    public static func hash<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = basis) -> UInt64 where Bytes.Element == UInt8 {
        if let h = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) { return h }
        return Array(bytes).withUnsafeBytes { hash($0, seed: seed) }
    }

    static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed
        let words = buffer.count / 8
        for i in 0..<words {
            h ^= UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            h &*= prime
            h ^= h >> 29  // the multiply moves low bits up only: fold the high ones back
        }
        for i in (words * 8)..<buffer.count {
            h ^= UInt64(buffer[i])
            h &*= prime
        }
        return h
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Hex.string(hash(bytes))
    }

    public static func hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { Hex.string(hash(UnsafeRawBufferPointer($0), seed: basis)) }
    }
}
