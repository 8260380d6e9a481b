/// What a person may do: SPEC §2.
public enum Role: String, CaseIterable, Codable, Sendable {
    case client, tech, admin

    /// Technicians and administrators: the vendor's side.
    public var isStaff: Bool { self != .client }
}

/// The person acting: who they are, their role and, for a client, their company.
public struct Actor: Hashable, Sendable {
    public let login: Login
    public let role: Role
    public let org: String?

    public init(login: Login, role: Role, org: String? = nil) {
        self.login = login
        self.role = role
        self.org = org
    }
}
