import Foundation

/// A product module that tickets are about, with its versions and default technician.
public struct Product: Hashable, Sendable {
    public var name: String
    /// The versions offered for new tickets (none: any version).
    public var versions: [String]
    public var responsible: Login?
    /// `/admin/products/ID`.
    public var id: Int64
    /// Retired: not offered for new tickets; old tickets keep it (SPEC §2).
    public var retired: Bool

    public init(name: String, versions: [String], responsible: Login?, id: Int64 = 0, retired: Bool = false) {
        self.name = name
        self.versions = versions
        self.responsible = responsible
        self.id = id
        self.retired = retired
    }
}

/// A client company as the administration lists it: `id` names it in `/admin/orgs/ID`.
public struct Company: Hashable, Sendable {
    public var id: Int64
    public var name: String
    public var disabled: Bool
    public var people: Int
    /// Its business-hours calendar; nil: the site's (`[tickets] calendar`).
    public var calendar: String?
    public init(id: Int64, name: String, disabled: Bool, people: Int, calendar: String? = nil) {
        self.id = id
        self.name = name
        self.disabled = disabled
        self.people = people
        self.calendar = calendar
    }
}
