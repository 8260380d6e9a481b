import BelenusCore
import Foundation

/// `multipart/form-data` (RFC 7578, RFC 2046 §5.1.1), parsed from a body already bounded in
/// size. A missing boundary, a part without a name and a body that ends before its closing
/// delimiter are each refused with the status and field that say so; a file larger than
/// `maxFileBytes` or past `maxFiles` is left out and named in `fileError`, the fields kept.
struct MultipartParser {
    let boundary: [UInt8]
    let maxFiles: Int
    let maxFileBytes: Int

    /// The boundary parameter of a `multipart/form-data` content type (RFC 2046 §5.1.1: 1–70 characters).
    static func boundary(of contentType: String) throws(GatewayError) -> [UInt8] {
        for parameter in ByteText.split(contentType, at: ";").dropFirst() {
            let pair = ByteText.split(parameter, at: "=", maxSplits: 1).map(ByteText.trimmed)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            let bytes = Array(value.utf8)
            if bytes.count >= 2, bytes.first == 34, bytes.last == 34 {
                value = String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
            }
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) else { break }
            return Array(value.utf8)
        }
        throw GatewayError(400, "multipart body without a valid boundary", field: "Content-Type")
    }

    func parse(_ body: [UInt8]) throws(GatewayError) -> FormFields {
        let delimiter = Array("--".utf8) + boundary
        let next = [13, 10] + delimiter  // CRLF--boundary: the end of a part's content
        guard let first = ByteText.firstIndex(of: delimiter, in: body, from: 0) else {
            throw GatewayError(400, "multipart body without its boundary", field: "Content-Type")
        }
        var form = FormFields()
        var position = first + delimiter.count
        while true {
            // After a delimiter: "--" closes the body; else CRLF and a part follows.
            guard position + 2 <= body.count else { throw GatewayError(400, "the body ends before its last boundary", field: "form") }
            if body[position] == 45, body[position + 1] == 45 { return form }
            // Transport padding (spaces) may follow a delimiter (RFC 2046).
            while position < body.count, body[position] == 32 || body[position] == 9 { position += 1 }
            guard position + 2 <= body.count, body[position] == 13, body[position + 1] == 10 else {
                throw GatewayError(400, "malformed multipart delimiter", field: "form")
            }
            position += 2
            guard let headerEnd = ByteText.firstIndex(of: [13, 10, 13, 10], in: body, from: position), headerEnd - position <= 8192 else {
                throw GatewayError(400, "a part's headers do not end", field: "form")
            }
            let headers = try Self.headers(Array(body[position..<headerEnd]))
            let contentStart = headerEnd + 4
            guard let contentEnd = ByteText.firstIndex(of: next, in: body, from: contentStart) else {
                throw GatewayError(400, "the body ends in the middle of a part", field: headers.name ?? "form")
            }
            guard let name = headers.name else { throw GatewayError(400, "a part has no name", field: "form") }
            guard !ByteText.hasControlCharacters(name) else {
                throw GatewayError(400, "a part's name has control characters", field: "form", code: "control_characters")
            }
            let content = Array(body[contentStart..<contentEnd])
            if let filename = headers.filename {
                // A file input left empty is sent as a part with an empty name and no bytes.
                if !(filename.isEmpty && content.isEmpty) {
                    guard name == "file" else { throw GatewayError(400, "files go in the field 'file'", field: name) }
                    // A NUL, CR or LF in a name is no file's name (browsers send them as %00,
                    // %0D, %0A): refused rather than stored changed.
                    guard !ByteText.hasControlCharacters(filename) else {
                        throw GatewayError(
                            400, "the file name '\(filename)' has control characters", field: "file", code: "control_characters")
                    }
                    // One too many or one too large: not kept, and the first such problem kept for
                    // the route, which shows the form again with the fields that follow too.
                    if form.files.count >= maxFiles {
                        form.fileError =
                            form.fileError
                            ?? GatewayError(
                                400, "at most \(maxFiles) files", field: "file", code: "too_many_files", values: [String(maxFiles)])
                    } else if content.count > maxFileBytes {
                        form.fileError =
                            form.fileError
                            ?? GatewayError(
                                413, "'\(filename)' is larger than \(maxFileBytes) bytes", field: "file", code: "file_too_large",
                                values: [filename, String(maxFileBytes)])
                    } else if form.fileError == nil {
                        form.files.append(
                            UploadedFile(filename: filename, contentType: headers.contentType ?? "application/octet-stream", bytes: content)
                        )
                    }
                }
            } else {
                form.pairs.append((name, try FormFields.utf8(content, field: name)))
            }
            guard form.pairs.count + form.files.count <= FormFields.maxParts else {
                throw GatewayError(400, "more than \(FormFields.maxParts) fields", field: name)
            }
            position = contentEnd + next.count
        }
    }

    struct PartHeaders {
        var name: String?
        var filename: String?
        var contentType: String?
    }

    /// `Content-Disposition: form-data; name="…"; filename="…"` and `Content-Type`.
    static func headers(_ bytes: [UInt8]) throws(GatewayError) -> PartHeaders {
        // Valid UTF-8 (RFC 7578 §5.1); control characters are judged per value by the caller.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GatewayError(400, "a part's headers are not valid UTF-8", field: "form", code: "not_utf8")
        }
        var result = PartHeaders()
        for line in ByteText.components(text, separatedBy: "\r\n") {
            let pair = ByteText.split(line, at: ":", maxSplits: 1, keepingEmpty: true)
            guard pair.count == 2 else { continue }
            let name = ByteText.trimmed(pair[0]).lowercased()
            let value = ByteText.trimmed(pair[1])
            if name == "content-type" { result.contentType = value }
            guard name == "content-disposition" else { continue }
            for (key, parameter) in try parameters(value) {
                if key == "name" { result.name = parameter }
                if key == "filename" { result.filename = parameter }
            }
        }
        return result
    }

    /// `a=b; c="d;e"` after the disposition type, quoted strings with `\"` escapes. By Unicode
    /// scalars: a quote or `;` followed by a combining mark still ends what it ends. A quoted
    /// string that does not end, or is followed by more than spaces before the next `;`, is
    /// refused rather than cut (`filename="a"b"` is no name the client meant as "a").
    static func parameters(_ value: String) throws(GatewayError) -> [(String, String)] {
        var result: [(String, String)] = []
        let chars = Array(value.unicodeScalars)
        var i = chars.firstIndex(of: ";").map { $0 + 1 } ?? chars.count
        while i < chars.count {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == ";" { i += 1 }
            var key = String.UnicodeScalarView()
            while i < chars.count, chars[i] != "=", chars[i] != ";" { key.append(chars[i]); i += 1 }
            guard i < chars.count, chars[i] == "=" else { continue }
            let name = ByteText.trimmed(String(key)).lowercased()
            let malformed = GatewayError(
                400, "a part's \(name) is not a well-formed quoted string", field: name == "filename" ? "file" : "form")
            i += 1
            var parameter = String.UnicodeScalarView()
            if i < chars.count, chars[i] == "\"" {
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    parameter.append(chars[i])
                    i += 1
                }
                guard i < chars.count else { throw malformed }
                i += 1
                while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
                guard i == chars.count || chars[i] == ";" else { throw malformed }
            } else {
                while i < chars.count, chars[i] != ";" { parameter.append(chars[i]); i += 1 }
            }
            result.append((name, String(parameter)))
        }
        return result
    }
}
