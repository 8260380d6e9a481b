import Foundation

/// Reads a file line by line in 1 MiB chunks, so a large import never holds the whole file.
///
/// Lines are cut with `memchr` in a byte buffer that is compacted once per chunk (slicing and
/// appending `Data` cost 10 % of an import's CPU).
final class LineReader: Sequence, IteratorProtocol {
    private let file: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The `errno` of a read that failed: the lines before it were read, the rest were not.
    private(set) var readError: Int32?

    init(path: String) throws {
        file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw StoreError("\(path): cannot open for reading") }
    }

    deinit { close(file) }

    /// The next line without its "\n" (or "\r\n"), as bytes; nil at the end.
    func next() -> Data? {
        while true {
            let found = buffer.withUnsafeBufferPointer { bytes -> Int? in
                guard start < bytes.count, let base = bytes.baseAddress,
                      let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let newline = found {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                defer { start = newline + 1 }
                return Data(buffer[start..<end])
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Data(buffer[start...])
            }
            buffer.removeSubrange(0..<start)
            start = 0
            let count = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
            let read = buffer.withUnsafeMutableBufferPointer { Foundation.read(file, $0.baseAddress! + count, 1 << 20) }
            buffer.removeSubrange((count + Swift.max(read, 0))...)
            if read < 0 { readError = errno }
            if read <= 0 { atEnd = true }
        }
    }
}
