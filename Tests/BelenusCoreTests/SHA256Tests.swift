import BelenusBytes
import BelenusCore
import Crypto
import Foundation
import Testing

private typealias SHA256 = BelenusBytes.SHA256

/// The hand-written SHA-256 of BelenusBytes (session and CSRF tokens, in both gateway binaries).
@Suite struct SHA256Tests {
    @Test func nistVectors() {
        // FIPS 180-4 examples (NIST CSRC), and the empty message.
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the block and padding boundaries, random bytes, against swift-crypto.
    @Test func agreesWithSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...200) + [511, 512, 513, 4096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SHA256.digest(bytes) == Array(Crypto.SHA256.hash(data: bytes)), "\(length) bytes")
        }
    }

    @Test func utcTimeIsTimestampsForm() {
        for seconds in [0, 951_782_400, 1_764_547_199, 4_102_444_800] {
            #expect(UTCTime.iso(seconds) == Timestamp.iso(Date(timeIntervalSince1970: Double(seconds))))
        }
        #expect(UTCTime.iso(951_782_400) == "2000-02-29T00:00:00Z")
    }
}
