import BelenusCore
import Foundation

/// How large a POST's body may be, from the site's attachment limits.
public struct BodyLimits: Sendable {
    public var maxFiles: Int
    public var maxFileBytes: Int

    public init(maxFiles: Int, maxFileBytes: Int) {
        self.maxFiles = maxFiles
        self.maxFileBytes = maxFileBytes
    }

    /// Every file at its limit plus room for the fields.
    public var maxBodyBytes: Int { maxFiles * maxFileBytes + 256 * 1024 }
}

/// A POST's body, from the CGI variables to its form: the length and type checked before a byte
/// is read, then exactly `CONTENT_LENGTH` bytes parsed by their media type.
extension CGIRequest {
    /// `application/x-www-form-urlencoded`, `multipart/form-data`, or "" for an empty body.
    public var mediaType: String {
        ByteText.split((contentType ?? "").lowercased(), at: ";").first.map(ByteText.trimmed) ?? ""
    }

    /// Refuses a body too large (413) or of a type no form sends (415), before it is read.
    public func checkBodyHeaders(_ limits: BodyLimits) throws(GatewayError) {
        guard contentLength <= limits.maxBodyBytes else {
            throw GatewayError(413, "the request is \(contentLength) bytes; at most \(limits.maxBodyBytes)", field: "file",
                               code: "body_too_large", values: [String(limits.maxBodyBytes)])
        }
        let type = mediaType
        guard type == "application/x-www-form-urlencoded" || type == "multipart/form-data" || (type.isEmpty && contentLength == 0) else {
            throw GatewayError(415, "send application/x-www-form-urlencoded or multipart/form-data, not '\(type)'")
        }
    }

    /// The form in `body`, the bytes read from stdin (RFC 3875 §4.2: exactly `CONTENT_LENGTH`).
    public func form(body: [UInt8], limits: BodyLimits) throws(GatewayError) -> FormFields {
        try checkBodyHeaders(limits)
        guard body.count == contentLength else {
            throw GatewayError(400, "the body ended after \(body.count) of \(contentLength) bytes", field: "form", code: "truncated")
        }
        guard mediaType == "multipart/form-data" else { return try FormFields.parseURLEncoded(body) }
        let boundary = try MultipartParser.boundary(of: contentType ?? "")
        return try MultipartParser(boundary: boundary, maxFiles: limits.maxFiles, maxFileBytes: limits.maxFileBytes).parse(body)
    }
}
