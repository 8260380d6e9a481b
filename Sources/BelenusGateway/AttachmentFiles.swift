import BelenusCore
import BelenusFiles
import BelenusInput
import BelenusStore
import Foundation

/// Uploaded files under `var/attachments/<sha256>`: named by content, never by the client.
struct AttachmentFiles {
    let directory: String

    /// Stores `bytes`; returns its hash and whether this call created the file (to undo on failure).
    func store(_ bytes: [UInt8]) throws -> (sha256: String, created: Bool) {
        let hash = Secrets.sha256(bytes)
        do {
            return (hash, try AtomicFile.createUnlessPresent(bytes, at: path(hash)))
        } catch {
            throw GatewayError(500, "cannot store the attachment: \(error)")
        }
    }

    func path(_ sha256: String) -> String { "\(directory)/\(sha256)" }

    func remove(_ sha256: String) { unlink(path(sha256)) }

    /// The client's file name for display and `Content-Disposition`: no folders, no control
    /// characters, at most 200 Unicode scalars; "archivo" when nothing is left.
    static func displayName(_ filename: String) -> String {
        let last = Array(filename.utf8).split(whereSeparator: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
            .last.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter {
            $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
        })).trimmingCharacters(in: .whitespaces)
        // 200 scalars, not Characters: one letter with 100,000 combining marks is one Character.
        let trimmed = String(String.UnicodeScalarView(clean.unicodeScalars.prefix(200)))
        return trimmed.isEmpty || trimmed == "." || trimmed == ".." ? "archivo" : trimmed
    }

    /// RFC 6266: an ASCII fallback and the UTF-8 name (RFC 8187).
    static func contentDisposition(_ name: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        let ascii = String(String.UnicodeScalarView(name.unicodeScalars.map {
            $0.isASCII && (plain.contains(UInt8($0.value)) || " .-_()".unicodeScalars.contains($0)) ? $0 : "_"
        }))
        let encoded = name.utf8.map { byte -> String in
            plain.contains(byte) || "-._~".utf8.contains(byte) ? String(UnicodeScalar(byte)) : "%" + Hex.string([byte]).uppercased()
        }.joined()
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

/// The files of a `POST`: stored before the change's transaction, removed if it fails.
extension Gateway {
    /// Stores the files, runs `body` (the transaction), and removes the files this request
    /// created if the transaction failed: a refused request leaves no file behind (a killed one's
    /// the next build removes: `AttachmentFolder`, whose lock this holds shared meanwhile).
    func withAttachments<T>(_ files: [UploadedFile], _ body: ([NewAttachment]) throws -> T) throws -> T {
        guard !files.isEmpty else { return try body([]) }
        return try AttachmentFolder(paths: paths).storing { try storingAttachments(files, body) }
    }

    private func storingAttachments<T>(_ files: [UploadedFile], _ body: ([NewAttachment]) throws -> T) throws -> T {
        let storage = AttachmentFiles(directory: paths.attachments)
        var created: [String] = []
        do {
            var attachments: [NewAttachment] = []
            for file in files {
                let (hash, isNew) = try storage.store(file.bytes)
                if isNew { created.append(hash) }
                attachments.append(NewAttachment(
                    name: AttachmentFiles.displayName(file.filename), contentType: Self.mediaType(file.contentType),
                    size: file.bytes.count, sha256: hash))
            }
            return try body(attachments)
        } catch {
            for hash in created where (try? store.attachmentReferenced(sha256: hash)) == false { storage.remove(hash) }
            throw error
        }
    }

    /// A declared type kept as data (`type/subtype`), else `application/octet-stream`.
    static func mediaType(_ declared: String) -> String {
        let type = ByteText.trimmed(ByteText.split(declared, at: ";", keepingEmpty: true).first ?? "").lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789/.+-_".utf8)
        let ok = type.utf8.count <= 100 && ByteText.split(type, at: "/").count == 2 && type.utf8.allSatisfy(allowed.contains)
        return ok ? type : "application/octet-stream"
    }
}
