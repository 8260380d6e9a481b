/// An error a person gets as an HTTP answer (Hummingbird's `HTTPResponseError`): it knows its
/// status, the field at fault and its words; the gateway turns every one of them into a
/// response in one place.
public protocol HTTPResponseError: Error {
    var httpError: GatewayError { get }
}

/// A refusal with its HTTP status and, for a form, the field to fix.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String
    public let field: String?
    /// For the UI strings, as `FieldError.code`.
    public let code: String
    public let values: [String]

    public init(_ status: Int, _ message: String, field: String? = nil, code: String = "", values: [String] = []) {
        self.status = status
        self.message = message
        self.field = field
        self.code = code
        self.values = values
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

extension GatewayError: HTTPResponseError {
    public var httpError: GatewayError { self }
}

extension FieldError: HTTPResponseError {
    public var httpError: GatewayError { GatewayError(httpStatus, message, field: field, code: code, values: values) }
}

extension RuleViolation: HTTPResponseError {
    public var httpError: GatewayError { GatewayError(httpStatus, message) }
}

extension FieldError {
    /// A refusal of a form's field as a field error (a file refused while the form was kept).
    public init(_ error: GatewayError) {
        self.init(field: error.field ?? "form", message: error.message, httpStatus: error.status, code: error.code, values: error.values)
    }
}
