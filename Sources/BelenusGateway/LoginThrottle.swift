import BelenusCore
import Foundation

/// The limits on password guesses (SPEC §5: 429 past them) and the names they are counted
/// under in `login_failures`. A name is a hash of what was typed: an anonymous request never
/// stores its text, and every name has the same 65 bytes.
enum LoginThrottle {
    /// Attempts per account and per address in `window` before 429; a right password gives the
    /// account's back and does not count against its address.
    static let attemptsPerLogin = 5
    static let attemptsPerAddress = 20
    static let window: TimeInterval = 15 * 60

    /// Logins are compared as they are stored, and "Ana" is tried against "ana"'s count.
    static func key(login: String) -> String { "l" + Secrets.sha256(login.lowercased()) }
    static func key(address: String) -> String { "a" + Secrets.sha256(address) }
}
