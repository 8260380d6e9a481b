import Foundation

/// A product module that tickets are about, with its versions and default technician.
public struct Product: Hashable, Sendable {
    public var name: String
    public var versions: [String]
    public var responsible: Login?

    public init(name: String, versions: [String], responsible: Login?) {
        self.name = name
        self.versions = versions
        self.responsible = responsible
    }
}
