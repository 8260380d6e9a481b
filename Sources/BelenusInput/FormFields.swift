import BelenusBytes
import BelenusCore
import Foundation

/// A file part of a multipart body, held in memory (the body's size is bounded before it is read).
public struct UploadedFile: Sendable {
    /// The name the client gave, as data: never used as a path.
    public var filename: String
    public var contentType: String
    public var bytes: [UInt8]

    public init(filename: String, contentType: String, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// The fields of a form, urlencoded or multipart, every value valid UTF-8.
public struct FormFields: Sendable {
    public var pairs: [(name: String, value: String)] = []
    public var files: [UploadedFile] = []
    /// A file refused while the rest of the form was kept: one too many, or one too large (SPEC
    /// §5: 400 or 413 on `file`). The route that takes files answers with it and shows the form
    /// again with what was typed; the others take no files.
    public var fileError: GatewayError?

    public init() {}

    /// A form has at most this many fields and files: more is abuse, not a person.
    static let maxParts = 64

    public func value(_ name: String) -> String? { pairs.last { $0.name == name }?.value }

    /// A field that must be there and hold something.
    public func required(_ name: String) throws(GatewayError) -> String {
        guard let value = value(name), !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw GatewayError(400, "is required", field: name, code: "required")
        }
        return value
    }

    /// `application/x-www-form-urlencoded` (WHATWG URL §5.1): `+` is a space, `%XX` a byte.
    static func parseURLEncoded(_ bytes: [UInt8]) throws(GatewayError) -> FormFields {
        var form = FormFields()
        for piece in bytes.split(separator: UInt8(ascii: "&")) where !piece.isEmpty {
            let eq = piece.firstIndex(of: UInt8(ascii: "="))
            let name = try decode(piece[piece.startIndex..<(eq ?? piece.endIndex)], field: nil)
            let value = try decode(eq.map { piece[($0 + 1)...] } ?? [], field: name)
            form.pairs.append((name, value))
            if form.pairs.count > maxParts { throw GatewayError(400, "more than \(maxParts) fields", field: name) }
        }
        return form
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, field: String?) throws(GatewayError) -> String {
        try utf8(Hex.percentDecoded(bytes, plusIsSpace: true), field: field ?? "form")
    }

    static func utf8(_ bytes: [UInt8], field: String) throws(GatewayError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GatewayError(400, "is not valid UTF-8", field: field, code: "not_utf8")
        }
        // By byte: NUL followed by a combining mark is one Character that is not "\0", and a
        // value with a NUL inside would be cut there by C code further on.
        guard !bytes.contains(0) else { throw GatewayError(400, "contains a NUL character", field: field, code: "nul_character") }
        return text
    }

}
