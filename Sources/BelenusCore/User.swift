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

    public init(
        login: Login, name: String, email: String, role: Role, org: String? = nil, disabled: Bool = false, hasPassword: Bool = false
    ) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
        self.org = org
        self.disabled = disabled
        self.hasPassword = hasPassword
    }

    public var actor: Actor { Actor(login: login, role: role, org: org) }
}
