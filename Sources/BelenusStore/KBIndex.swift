import BelenusCore
import GRDB

/// One article as the search index holds it.
public struct KBIndexEntry: Hashable, Sendable {
    public var slug: String
    public var title: String
    public var product: String
    /// Plain text (Markdown as written); snippets are cut from it.
    public var body: String

    public init(slug: String, title: String, product: String, body: String) {
        self.slug = slug
        self.title = title
        self.product = product
        self.body = body
    }
}


/// The FTS5 index of KB articles (`unicode61 remove_diacritics 2`: "nomina" finds "Nómina").
extension Store {
    /// Replaces the whole index with `entries`, in one transaction.
    public func replaceKBIndex(_ entries: [KBIndexEntry]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM kb_fts")
            let insert = try db.cachedStatement(sql: "INSERT INTO kb_fts (slug, title, product, body) VALUES (?, ?, ?, ?)")
            for e in entries { try insert.execute(arguments: [e.slug, e.title, e.product, e.body]) }
        }
    }

    /// Ranked by bm25, title matches weighing most. Each word of `query` is a prefix term.
    public func searchKB(_ query: String, limit: Int = 20) throws -> [KBSearchHit] {
        let terms = Self.searchTerms(query).prefix(12)
        guard !terms.isEmpty else { return [] }
        let match = terms.map { "\"\($0)\"*" }.joined(separator: " ")
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT slug, title, product, snippet(kb_fts, 3, char(2), char(3), '…', 24) AS snippet
                FROM kb_fts WHERE kb_fts MATCH ? ORDER BY bm25(kb_fts, 0, 10.0, 2.0, 1.0) LIMIT ?
                """, arguments: [match, limit]).map {
                KBSearchHit(slug: $0["slug"], title: $0["title"], product: $0["product"], snippet: $0["snippet"])
            }
        }
    }

    /// The words of a query: runs of letters, marks and digits, by Unicode scalar. (By
    /// `Character`, a prepended letter such as U+0D4E glues itself to a following `"`, which
    /// would end the FTS5 string the term is quoted in.)
    static func searchTerms(_ query: String) -> [String] {
        var terms: [String] = []
        var word = String.UnicodeScalarView()
        for scalar in query.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                word.append(scalar)
            default:
                if !word.isEmpty { terms.append(String(word)) }
                word = String.UnicodeScalarView()
            }
        }
        if !word.isEmpty { terms.append(String(word)) }
        return terms
    }
}
