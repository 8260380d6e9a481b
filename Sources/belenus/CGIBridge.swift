import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Runs `belenus-gateway` once per request under the gateway's path, as a web server's mod_cgi
/// does (RFC 3875): CGI variables, the body on stdin, the `Status:` and headers it prints.
struct CGIBridge: RouterMiddleware {
    typealias Context = BasicRequestContext

    let gatewayPath: String
    let executable: String
    let site: String
    let port: Int
    /// Bodies larger than this are refused here (the gateway's own limit is lower).
    let maxBody = 64 * 1024 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == gatewayPath || path.hasPrefix(gatewayPath + "/") else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: maxBody)
        let environment = self.environment(for: request, bodyLength: body.readableBytes)
        let input = Array(body.readableBytesView)
        let executable = self.executable
        let output = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.run(executable, environment: environment, input: input) })
            }
        }
        return try Self.response(from: output)
    }

    func environment(for request: Request, bodyLength: Int) -> [String: String] {
        let path = request.uri.path
        var env: [String: String] = [
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "belenus-serve",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": String(port), "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": request.method.rawValue, "SCRIPT_NAME": gatewayPath,
            "PATH_INFO": String(path.dropFirst(gatewayPath.count)).removingPercentEncoding ?? "",
            "QUERY_STRING": request.uri.query ?? "", "REQUEST_URI": request.uri.description,
            "BELENUS_SITE": site, "PATH": "/usr/local/bin:/usr/bin:/bin",
        ]
        if bodyLength > 0 || request.method == .post { env["CONTENT_LENGTH"] = String(bodyLength) }
        if let type = request.headers[.contentType] { env["CONTENT_TYPE"] = type }
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            // httpoxy: a "Proxy:" header must never become HTTP_PROXY; type and length are above.
            guard name != "proxy", name != "content-type", name != "content-length" else { continue }
            let key = "HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            env[key] = env[key].map { $0 + (name == "cookie" ? "; " : ", ") + field.value } ?? field.value
        }
        return env
    }

    static func run(_ executable: String, environment: [String: String], input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(output)
    }

    /// RFC 3875 §6: headers, a blank line, the body; `Status:` sets the code, `Location` alone a 302.
    static func response(from output: [UInt8]) throws -> Response {
        var end = 0, bodyStart = output.count
        while end + 1 < output.count {
            if output[end] == 10, output[end + 1] == 10 { bodyStart = end + 2; break }
            if end + 3 < output.count, output[end] == 13, output[end + 1] == 10, output[end + 2] == 13, output[end + 3] == 10 {
                bodyStart = end + 4; break
            }
            end += 1
        }
        guard bodyStart <= output.count, end > 0 else { throw HTTPError(.badGateway, message: "the gateway printed no headers") }
        var status = 200
        var fields = HTTPFields()
        for line in String(decoding: output[..<end], as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let name = String(text[..<colon]), value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                status = Int(value.prefix(3)) ?? 500
            } else if name.lowercased() != "content-length", let fieldName = HTTPField.Name(name) {
                fields.append(HTTPField(name: fieldName, value: value))
                if name.lowercased() == "location", status == 200 { status = 302 }
            }
        }
        let body = ByteBuffer(bytes: output[bodyStart...])
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: body))
    }
}
