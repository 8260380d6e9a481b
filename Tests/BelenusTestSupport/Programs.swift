import Foundation

/// Runs the real `belenus` binary, as a person at a terminal would, and any other program.
public enum CLI {
    public static let binDir = Repository.binDir
    public static let repoRoot = Repository.root

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    @discardableResult
    public static func run(_ arguments: [String], stdin: String = "", extra: [String: String] = [:]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["BELENUS_HOME"] = repoRoot
        environment.merge(extra) { _, new in new }
        return try launch(binDir + "/belenus", arguments, stdin: stdin, environment: environment)
    }

    /// Runs `program` with `stdin` written to it; its status, stdout and stderr.
    public static func launch(_ program: String, _ arguments: [String], stdin: String = "", environment: [String: String],
                              directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let (input, output, error) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    /// A new site made by `belenus init` in the run's scratch folder.
    public static func newSite() throws -> String {
        let dir = Scratch.path("belenus-cli")
        let result = try run(["init", dir])
        guard result.status == 0 else { throw Failure(text: "belenus init: \(result.stderr)") }
        return dir
    }

    public struct Failure: Error, CustomStringConvertible {
        public let text: String
        public init(text: String) { self.text = text }
        public var description: String { text }
    }
}

/// Runs `count` calls at the same moment, each on its own thread released together (each call
/// typically runs a process), and returns what those that did not throw returned.
public func simultaneously<Answer: Sendable>(_ count: Int, _ call: @escaping @Sendable (Int) throws -> Answer) -> [Answer] {
    let collected = Collected<Answer>()
    let start = DispatchSemaphore(value: 0), done = DispatchGroup()
    for i in 0..<count {
        done.enter()
        Thread {
            start.wait()
            if let answer = try? call(i) { collected.append(answer) }
            done.leave()
        }.start()
    }
    for _ in 0..<count { start.signal() }
    done.wait()
    return collected.items
}

/// What threads append to, under a lock.
public final class Collected<Item>: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Item] = []
    public init() {}
    public func append(_ item: Item) { lock.withLock { list.append(item) } }
    public var items: [Item] { lock.withLock { list } }
}

/// A flag one task sets and another polls.
public final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    public init() {}
    public var isDone: Bool { lock.withLock { done } }
    public func finish() { lock.withLock { done = true } }
}
