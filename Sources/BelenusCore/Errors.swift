/// An error that a person fixes by correcting one field of a form or a file.
public struct FieldError: HTTPResponseError, Hashable, Sendable, CustomStringConvertible {
    /// The form field or the key, exactly as named in the SPEC (`title`, `body`, `file`…).
    public let field: String
    public let message: String
    /// SPEC §5: 400 for a bad or missing field, 413 for a file that is too large.
    public let status: Int
    /// Names the problem for the UI strings (`error_code_<code>` in the locales), with `values`
    /// for their `%@`; empty for a message that has no translation.
    public let code: String
    public let values: [String]

    public init(field: String, message: String, status: Int = 400, code: String = "", values: [String] = []) {
        self.field = field
        self.message = message
        self.status = status
        self.code = code
        self.values = values
    }

    public static func required(_ field: String) -> FieldError {
        FieldError(field: field, message: "is required", code: "required")
    }

    public static func tooLong(_ field: String, characters: Int) -> FieldError {
        FieldError(field: field, message: "is longer than \(characters) characters", code: "too_long", values: [String(characters)])
    }

    public static func tooLong(_ field: String, bytes: Int) -> FieldError {
        FieldError(field: field, message: "is longer than \(bytes) bytes", code: "too_long_bytes", values: [String(bytes)])
    }

    public static func controlCharacters(_ field: String) -> FieldError {
        FieldError(field: field, message: "contains control characters", code: "control_characters")
    }

    public static func unknown(_ field: String, _ value: String) -> FieldError {
        FieldError(field: field, message: "there is no \(field) '\(value)'", code: "unknown", values: [value])
    }

    public static func notAVersion(_ version: String, of product: String) -> FieldError {
        FieldError(
            field: "version", message: "'\(version)' is not a version of \(product)", code: "not_a_version", values: [version, product])
    }

    public var formField: String? { field }
    public var description: String { "\(field): \(message)" }
}

/// An action that the rules refuse: who may not do it, or not in this state.
public struct RuleViolation: HTTPResponseError, Hashable, Sendable, CustomStringConvertible {
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
    public var status: Int {
        switch kind {
        case .notFound: 404
        case .forbidden: 403
        case .conflict: 409
        }
    }

    public var description: String { message }
}
