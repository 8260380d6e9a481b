/// An error a person gets as an HTTP answer (Hummingbird's `HTTPResponseError`): it knows its
/// status, the form field at fault and its words. `GatewayError`, `FieldError`, `RuleViolation`
/// and the store's `StoreBusy` conform; the gateway turns each into a response in one place
/// (`Gateway.respond`).
public protocol HTTPResponseError: Error {
    /// SPEC §5's status: 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503.
    var status: Int { get }
    var message: String { get }
    /// The form field to fix, which the page names and whose form it keeps; nil for a refusal
    /// of the whole request.
    var formField: String? { get }
    /// Names the problem for the UI strings (`error_code_<code>` in the locales), with `values`
    /// for their `%@`; empty for a message that has no translation.
    var code: String { get }
    var values: [String] { get }
}

extension HTTPResponseError {
    public var formField: String? { nil }
    public var code: String { "" }
    public var values: [String] { [] }
}

/// A refusal with its HTTP status and, for a form, the field to fix.
public struct GatewayError: HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String
    public let field: String?
    public let code: String
    public let values: [String]

    public init(_ status: Int, _ message: String, field: String? = nil, code: String = "", values: [String] = []) {
        self.status = status
        self.message = message
        self.field = field
        self.code = code
        self.values = values
    }

    public var formField: String? { field }
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
