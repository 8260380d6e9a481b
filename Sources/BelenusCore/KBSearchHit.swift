import Foundation

/// A search hit: the article and a snippet whose matches are between `\u{2}` and `\u{3}`
/// (escaped by the page before those become `<mark>`).
public struct KBSearchHit: Hashable, Sendable {
    public var slug: String
    public var title: String
    public var product: String
    public var snippet: String

    public init(slug: String, title: String, product: String, snippet: String) {
        self.slug = slug
        self.title = title
        self.product = product
        self.snippet = snippet
    }
}
