/// A stable 64-bit hash (unlike `Hasher`, the same in every process and on every machine) for
/// page fingerprints and content hashes. Not for security.
///
/// FNV-1a's xor and multiply, taken eight bytes at a time (the tail byte by byte): a build hashes
/// every page it renders, and byte by byte that was 4 % of a full build's CPU. Four lanes take
/// 32 bytes a round, so that each multiply does not wait for the one before it (one lane was
/// still 2.2 %); they are folded into the result with the same step. A site built with the
/// one-lane hash renders and writes every page once more after the change (its fingerprints differ).
public enum StableHash {
    public static let prime: UInt64 = 0x100_0000_01b3
    public static let basis: UInt64 = 0xcbf2_9ce4_8422_2325

    public static func hash<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = basis) -> UInt64 where Bytes.Element == UInt8 {
        if let h = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) { return h }
        return Array(bytes).withUnsafeBytes { hash($0, seed: seed) }
    }

    static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        func step(_ h: inout UInt64, _ word: UInt64) {
            h ^= word
            h &*= prime
            h ^= h >> 29  // the multiply moves low bits up only: fold the high ones back
        }
        func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        var h = seed
        let rounds = buffer.count / 32
        if rounds > 0 {
            var lanes = (seed, seed ^ 1, seed ^ 2, seed ^ 3)
            for i in 0..<rounds {
                step(&lanes.0, word(i * 32))
                step(&lanes.1, word(i * 32 + 8))
                step(&lanes.2, word(i * 32 + 16))
                step(&lanes.3, word(i * 32 + 24))
            }
            step(&h, lanes.0)
            step(&h, lanes.1)
            step(&h, lanes.2)
            step(&h, lanes.3)
        }
        let words = buffer.count / 8
        for i in (rounds * 4)..<words { step(&h, word(i * 8)) }
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
