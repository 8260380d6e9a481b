/// An error that a person fixes by correcting one field of a form or a file.
public struct FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The form field or the key, exactly as named in the SPEC (`title`, `body`, `file`…).
    public let field: String
    public let message: String
    /// SPEC §5: 400 for a bad or missing field, 413 for a file that is too large.
    public let httpStatus: Int

    public init(field: String, message: String, httpStatus: Int = 400) {
        self.field = field
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { "\(field): \(message)" }
}

/// An action that the rules refuse: who may not do it, or not in this state.
public struct RuleViolation: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The actor may not see the ticket at all; answered as if it did not exist.
        case notFound
        /// The actor sees the ticket but their role may not do this.
        case forbidden
        /// The ticket's state does not allow it.
        case conflict
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// SPEC §5: 404, 403, 409.
    public var httpStatus: Int {
        switch kind {
        case .notFound: 404
        case .forbidden: 403
        case .conflict: 409
        }
    }

    public var description: String { message }
}
