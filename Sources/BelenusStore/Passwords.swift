import CArgon2
import Foundation

/// Argon2id password hashes in the PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
/// which carries its own parameters, so a hash made at one cost verifies at any other.
public struct PasswordHasher: Sendable {
    public var iterations: UInt32
    public var memoryKiB: UInt32

    /// The site's cost: 64 MiB, 3 passes (about 0.3 s here), above OWASP's minimum.
    public static let standard = PasswordHasher(iterations: 3, memoryKiB: 64 * 1024)

    public init(iterations: UInt32, memoryKiB: UInt32) {
        self.iterations = iterations
        self.memoryKiB = memoryKiB
    }

    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux
        for i in salt.indices { salt[i] = generator.next() }
        let pwd = Array(password.utf8)
        let length = argon2_encodedlen(iterations, memoryKiB, 1, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let result = argon2id_hash_encoded(
            iterations, memoryKiB, 1, pwd, pwd.count, salt, salt.count, 32, &encoded, length)
        guard result == ARGON2_OK.rawValue else {
            throw StoreError("password hash failed: \(String(cString: argon2_error_message(result)))")
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Constant-time within the library; false for a malformed hash.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        let pwd = Array(password.utf8)
        return argon2id_verify(encoded, pwd, pwd.count) == ARGON2_OK.rawValue
    }
}
