/// HMAC-SHA256 (RFC 2104) over our `SHA256`: what signs a reply address (SPEC §7). Checked
/// against RFC 4231's vectors and swift-crypto in the tests.
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        var block = key.count > 64 ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + Array(message))
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// Whether two MACs are equal, in time that does not depend on where they differ.
    public static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
