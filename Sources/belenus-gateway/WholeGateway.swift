import BelenusBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `belenus-gateway-full`, the gateway that answers every request, run in this process's place.
enum WholeGateway {
    static let name = "belenus-gateway-full"

    /// Where it is: beside this program (a build's products) or, installed (`make install`, the
    /// package), in `lib/belenus/` beside `lib/cgi-bin/`, out of the CGI folder.
    static func candidates() -> [String] {
        let me = executablePath()
        guard let slash = me.utf8.lastIndex(of: UInt8(ascii: "/")) else { return [name] }
        let folder = String(me[..<slash])
        return [folder + "/" + name, folder + "/../belenus/" + name]
    }

    static func run() -> Never {
        let tried = candidates()
        for path in tried where access(path, X_OK) == 0 {
            let arguments = [path] + CommandLine.arguments.dropFirst()
            var argv = arguments.map { strdup($0) } + [nil]
            execv(path, &argv)
            _ = FileDescriptor.writeAll(2, Array("belenus-gateway: cannot run \(path): \(String(cString: strerror(errno)))\n".utf8))
        }
        _ = FileDescriptor.writeAll(2, Array("belenus-gateway: \(name) is not at \(tried.joined(separator: " or "))\n".utf8))
        _ = FileDescriptor.writeAll(1, CGIText.notSetUp())
        exit(0)
    }

    /// This program's path: /proc/self/exe where there is one, else how it was called.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments.first ?? name }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
