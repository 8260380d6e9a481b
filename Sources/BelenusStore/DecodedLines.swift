import Foundation

/// The lines of an import file, read and decoded on a thread of their own while the importer
/// writes the ones before: SQLite's work cannot be shared (one writer).
///
/// The thread runs at most `ahead` chunks of `chunkSize` lines ahead of the reader. It holds the
/// object until it ends, so no `deinit` can stop it: the importer calls `stop()` on every way
/// out, which ends it and waits for it, so none outlives the import.
final class DecodedLines: @unchecked Sendable {
    typealias Line = CorpusImporter.Line

    enum Item {
        /// A decoded line and its number (from 1).
        case line(Int, Line)
        /// Why reading stopped: the file and line it names, and what was wrong.
        case failure(String)
    }

    private let chunkSize = 256
    private let ahead = 4
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var chunks: [[Item]] = []
    /// Whether the thread runs: set before it starts, cleared as it ends.
    private var producing = false
    private var stopped = false
    /// The reader's own.
    private var current: [Item] = []
    private var position = 0

    /// Starts reading `path`; `describe` words a decoding error.
    init(path: String, describe: @escaping @Sendable (DecodingError) -> String) throws {
        nonisolated(unsafe) let reader = try LineReader(path: path)  // the thread's alone
        producing = true
        Thread { [self] in
            Self.yieldToOtherThreads()
            produce(reader, path: path, describe: describe)
        }.start()
    }

    /// This thread at a lower priority (nice + 10; Linux gives each thread its own). A first
    /// import runs three threads on two cores: this one, the importer's, and the search index's
    /// (`SideIndex`), which is the slowest and which the others wait for at the end. Decoding
    /// stays ahead anyway (the importer waits for the index, not for lines): 100k tickets in
    /// 17.8 → 16.9 s (means of 3 alternated runs; docs/performance.md).
    private static func yieldToOtherThreads() {
        #if os(Linux)
        let thisThread = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let nice = getpriority(thisThread, 0)
        if errno == 0 { _ = setpriority(thisThread, 0, nice + 10) }
        #endif
    }

    /// The next line, or the failure that ends the file early; nil at the end.
    func next() -> Item? {
        if position == current.count {
            condition.lock()
            defer { condition.unlock() }
            while chunks.isEmpty && producing { condition.wait() }
            guard !chunks.isEmpty else { return nil }
            current = chunks.removeFirst()
            position = 0
            condition.broadcast()
        }
        defer { position += 1 }
        return current[position]
    }

    /// Whether `next()` has a line or a failure to give (waiting for the thread to know).
    func hasMore() -> Bool {
        if position < current.count { return true }
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && producing { condition.wait() }
        return !chunks.isEmpty
    }

    /// Ends the reading thread and waits until it has.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        condition.broadcast()
        while producing { condition.wait() }
    }

    private func produce(_ reader: LineReader, path: String, describe: (DecodingError) -> String) {
        defer {
            condition.lock()
            producing = false
            condition.broadcast()
            condition.unlock()
        }
        let decoder = JSONDecoder()
        var chunk: [Item] = []
        var number = 0
        var failed = false
        while !failed, let bytes = reader.next() {
            number += 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                // Read by hand when the line is as the corpus writes it (`CorpusLine`), else by
                // Foundation's decoder, which also words what is wrong with it.
                chunk.append(.line(number, try CorpusLine.read(bytes) ?? decoder.decode(Line.self, from: bytes)))
            } catch let error as DecodingError {
                chunk.append(.failure("\(path):\(number): \(describe(error))"))
                failed = true
            } catch {
                chunk.append(.failure("\(path):\(number): \(error)"))
                failed = true
            }
            if chunk.count == chunkSize {
                guard hand(chunk) else { return }
                chunk = []
            }
        }
        if !failed, let code = reader.readError { chunk.append(.failure("\(path): \(String(cString: strerror(code)))")) }
        if !chunk.isEmpty { _ = hand(chunk) }
    }

    /// Queues `chunk` once fewer than `ahead` wait; false when stopped.
    private func hand(_ chunk: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= ahead && !stopped { condition.wait() }
        guard !stopped else { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }
}
