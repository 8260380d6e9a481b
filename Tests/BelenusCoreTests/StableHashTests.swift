import BelenusCore
import Testing

/// `StableHash`: the pages' fingerprints and content hashes, stored in every site's database.
@Suite struct StableHashTests {
    /// Bytes of every length up to 100 (lanes, whole words and a byte tail): changing any one
    /// bit, or adding a byte, changes the hash.
    @Test func everyBitAndTheLengthCount() {
        for length in 0...100 {
            // Fixed bytes that vary with position and length (the same on every run).
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ length &* 37 &+ 11) }
            let hash = StableHash.hash(bytes)
            #expect(StableHash.hash(bytes + [0]) != hash, "length \(length)")
            for i in bytes.indices {
                for bit in 0..<8 {
                    var changed = bytes
                    changed[i] ^= 1 << bit
                    #expect(StableHash.hash(changed) != hash, "length \(length), byte \(i), bit \(bit)")
                }
            }
        }
    }

    /// The four lanes start apart: two words of a round swapped are another text.
    @Test func wordsSwappedBetweenLanesHashApart() {
        let words = (0..<8).map { UInt8($0) }, other = (8..<16).map { UInt8($0) }
        let round = words + other + words + other
        #expect(StableHash.hash(round) != StableHash.hash(other + words + words + other))
        #expect(StableHash.hash(round) != StableHash.hash(words + other + other + words))
    }

    /// The same on every machine and in every version: a site's stored hashes are compared with
    /// new ones. Changing these values makes every site render and write each page once more
    /// (say so in the changelog).
    @Test func valuesAreFixed() {
        #expect(StableHash.hex("") == "cbf29ce484222325")  // FNV-1a's basis
        #expect(StableHash.hex("Belenus") == "2481f9160ba4f2ff")
        #expect(StableHash.hex(String(repeating: "Soporte en Línea. ", count: 6)) == "40267feeb1cd1563")  // 114 bytes: three rounds
    }
}
