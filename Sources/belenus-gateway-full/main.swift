import BelenusBytes
import BelenusGateway
import BelenusInput
import BelenusFiles
import Foundation

// The CGI entry point (RFC 3875): the request from the environment and stdin, the answer on
// stdout; stdout is closed before the queued mail goes out, so the person does not wait for it.
let started = Date()  // for the request log's duration
let environment = ProcessEnvironment.current()
let site = environment["BELENUS_SITE"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath

// A client that goes away mid-answer, or a mail command that exits early: an error to handle,
// not a signal that kills the process before its mail is queued or handed over.
signal(SIGPIPE, SIG_IGN)

func write(_ bytes: [UInt8]) { FileDescriptor.writeAll(1, bytes) }

func readBody(_ count: Int) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = bytes.withUnsafeMutableBytes { read(0, $0.baseAddress! + filled, count - filled) }
        if n < 0 { if errno == EINTR { continue }; break }
        if n == 0 { break }
        filled += n
    }
    return Array(bytes.prefix(filled))
}

// The pages this request replaces are freed after its answer, not under the build lock.
AtomicFile.deferRemovals()

do {
    let request = CGIRequest(environment: environment)
    let gateway = try Gateway(request: request, site: site, readBody: readBody)
    var response = gateway.respond()
    if request.method == "HEAD" { response.body = [] }
    // Once the answer is complete some servers (lighttpd) send the CGI process SIGTERM at once:
    // ignore it from before the last byte goes out, to hand over the mail this request queued
    // (the queue keeps it either way).
    signal(SIGTERM, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    write(response.cgiBytes)
    gateway.logRequest(response, started: started)
    // End the answer: the server sees EOF on our stdout. /dev/null takes fd 1's place rather than
    // leaving it closed, so that no later pipe (the sendmail command's stdin) is given fd 1.
    let devNull = open("/dev/null", O_WRONLY)
    dup2(devNull, 1)
    close(devNull)
    AtomicFile.removeDeferred()
    gateway.deliverQueuedMail()
    // Done: end here rather than unwinding (the database's close, Foundation's and ICU's exit
    // handlers, every object's release). Nothing is buffered: the answer and the log went out
    // by write(2), and a commit is durable when it returns.
    _exit(0)
} catch {
    FileHandle.standardError.write(Data("belenus-gateway: \(error)\n".utf8))
    write(CGIText.notSetUp())
}
