import BelenusBytes

/// The CGI variables the front door reads, from `environ` as bytes (decoded as Swift decodes the
/// environment, invalid UTF-8 replaced). `ambiguous` when a header it reads came under two
/// spellings (`HTTP_COOKIE` and `HTTP_Cookie`): the whole gateway folds header names to lower
/// case, and which of the two it keeps is its business.
///
/// Plain loops over bytes, no dictionary: each generic type a process instantiates costs it a
/// lookup in the runtime's tables, a good part of a 2 ms process (perf).
struct CGIEnvironment {
    static let names = ["REQUEST_METHOD", "PATH_INFO", "HTTP_ACCEPT", "HTTP_COOKIE", "CONTENT_LENGTH", "BELENUS_SITE"]
    private var values: [String?] = Array(repeating: nil, count: names.count)
    private(set) var ambiguous = false

    subscript(name: String) -> String? {
        guard let i = Self.names.firstIndex(of: name) else { return nil }
        return values[i]
    }

    static func current() -> CGIEnvironment {
        var env = CGIEnvironment()
        let wanted = names.map { Array($0.utf8) }
        ProcessEnvironment.forEach { name, value in
            for (i, candidate) in wanted.enumerated() where candidate.count == name.count {
                if name.elementsEqual(candidate) {
                    if env.values[i] == nil { env.values[i] = String(decoding: value, as: UTF8.self) }
                } else if candidate.starts(with: "HTTP_".utf8), name.elementsEqual(candidate, by: { Self.upper($0) == $1 }) {
                    env.ambiguous = true
                }
            }
        }
        return env
    }

    static func upper(_ byte: UInt8) -> UInt8 { byte >= 97 && byte <= 122 ? byte - 32 : byte }
}
