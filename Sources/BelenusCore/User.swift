import Foundation

/// A person who may log in (or, imported without a password, may not yet).
public struct User: Hashable, Sendable {
    public var login: Login
    public var name: String
    public var email: String
    public var role: Role
    public var org: String?
    public var disabled: Bool
    public var hasPassword: Bool
    /// Mail to this address came back as undeliverable (a delivery report, SPEC §7), since when;
    /// administrators see it.
    public var bouncingSince: Date?

    public init(
        login: Login, name: String, email: String, role: Role, org: String? = nil, disabled: Bool = false, hasPassword: Bool = false,
        bouncingSince: Date? = nil
    ) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
        self.org = org
        self.disabled = disabled
        self.hasPassword = hasPassword
        self.bouncingSince = bouncingSince
    }

    public var actor: Actor { Actor(login: login, role: role, org: org) }
}

/// What a new password must be (SPEC §5): at least `minimumScalars` Unicode scalars (counted as
/// scalars: a "character" with marks glued on is several), at most `maximumBytes` (Argon2 hashes
/// what it is given; a 1 MB password is a 1 MB hash input), and typed the same twice.
public enum NewPassword {
    public static let minimumScalars = 8
    public static let maximumBytes = 1024

    public static func check(_ password: String, repeated: String? = nil, field: String = "password") throws(FieldError) {
        guard password.unicodeScalars.count >= minimumScalars else {
            throw FieldError(field: field, message: "at least \(minimumScalars) characters", code: "password_short",
                             values: [String(minimumScalars)])
        }
        guard password.utf8.count <= maximumBytes else { throw FieldError.tooLong(field, bytes: maximumBytes) }
        if let repeated, Array(repeated.utf8) != Array(password.utf8) {
            throw FieldError(field: "password2", message: "the two passwords differ", code: "password_mismatch")
        }
    }
}
