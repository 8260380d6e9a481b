import BelenusBytes
import BelenusFiles
import Foundation

/// Where mail goes (SPEC §7): `file` writes `.eml` files, `sendmail` pipes to a command.
public enum MailTransport: Sendable {
    /// Each message as `<dir>/<time>-<id>.eml`, written atomically.
    case file(directory: String)
    /// The command and its arguments, run without a shell; the message on its stdin.
    case sendmail(command: [String])

    /// The transport `[mail] transport` names ("file" or "sendmail"); the file spool is `var/mail/sent/`.
    public static func configured(_ name: String, sendmailCommand: String, mailFolder: String) -> MailTransport {
        name == "sendmail" ? .sendmail(sendmailCommand) : .file(directory: mailFolder + "/sent")
    }

    /// Splits `sendmail_command` on spaces (no shell, so no quoting: a path with spaces needs a wrapper script).
    public static func sendmail(_ commandLine: String) -> MailTransport {
        .sendmail(command: commandLine.split(separator: " ").map(String.init))
    }

    func send(_ message: MailMessage, id: Int64) throws {
        let bytes = Array(message.rfc5322.utf8)
        switch self {
        case .file(let directory):
            let stamp = Int(message.date.timeIntervalSince1970)
            let digits = String(id)  // zero-padded to 6 by hand: String(format:) costs a request 0.3 ms of runtime lookups
            let name = "\(stamp)-\(String(repeating: "0", count: max(0, 6 - digits.utf8.count)) + digits).eml"
            do {
                try AtomicFile.write(bytes, to: "\(directory)/\(name)", temporaryFolder: "\(directory)/\(AtomicFile.temporaryFolderName)")
            } catch {
                throw MailError("cannot write \(directory)/\(name): \(error)")
            }
        case .sendmail(let command):
            guard let program = command.first else { throw MailError("sendmail_command is empty") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(command.dropFirst())
            let input = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            do { try process.run() } catch { throw MailError("cannot run \(program): \(error.localizedDescription)") }
            // Every byte, through EINTR and partial writes. A command that exits without reading
            // all of stdin gives EPIPE here (SIGPIPE is ignored, see `ignoreBrokenPipes`), and
            // its exit status tells the rest.
            let writeError: Int32 = FileDescriptor.writeAll(input.fileHandleForWriting.fileDescriptor, bytes) ? 0 : errno
            try? input.fileHandleForWriting.close()
            let stderr = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                var reason = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if writeError != 0 { reason += " (writing the message to it: \(String(cString: strerror(writeError))))" }
                throw MailError("\(program) exited with \(process.terminationStatus): \(reason)")
            }
        }
    }
}

/// Call once per process before using `sendmail`: a command that exits early must not kill
/// the process that writes to it (SIGPIPE), it must fail the delivery.
public func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

public struct MailError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
