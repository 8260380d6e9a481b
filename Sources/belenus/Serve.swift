import ArgumentParser
import BelenusFiles
import BelenusBuild
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `belenus serve`: the preview server. `output/public/` as files, the gateway as CGI.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Preview: serve output/public/ and run the gateway as CGI.")
    @OptionGroup var site: SiteOption
    @Option(help: "The port, on 127.0.0.1.") var port = 8080
    @Option(help: "The belenus-gateway binary (default: next to this one, or installed in ../lib/cgi-bin/).") var gateway: String?

    func run() async throws {
        try await Self.serve(paths: site.paths, port: port, gateway: gateway)
    }

    /// The gateway binary built beside this `belenus`, or installed (`make install`, the Debian
    /// package) in `lib/cgi-bin/` beside its `bin/`.
    static func defaultGateway() -> String {
        let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [folder.appendingPathComponent("belenus-gateway").path, folder.path + "/../lib/cgi-bin/belenus-gateway"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    static func serve(paths: SitePaths, port: Int, gateway: String?) async throws {
        let config = try SiteConfig.load(path: paths.config)
        let executable = gateway ?? defaultGateway()
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CLIError("\(executable): no gateway binary there (swift build builds it; or pass --gateway)")
        }
        guard FileManager.default.fileExists(atPath: paths.output + "/public/index.html") else {
            throw CLIError("\(paths.output)/public is empty: run belenus build --site \(paths.root) first")
        }
        var logger = Logger(label: "belenus-serve")
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: CGIBridge(gatewayPath: config.gatewayPath, executable: executable, site: paths.root, port: port))
        router.add(middleware: FileMiddleware(paths.output + "/public", searchForIndexHtml: true, logger: logger))
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "belenus"),
            onServerRunning: { _ in
                let line = "Serving http://127.0.0.1:\(port)/ (the gateway at \(config.gatewayPath)); Ctrl-C stops it.\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            },
            logger: logger)
        try await app.runService()
    }
}
