import BelenusCore
import BelenusInput
import Dispatch
import Foundation

/// A page of `content/pages/` (welcome, help): front matter with `title`, Markdown body.
/// `home.md` is not a page of its own: its body is the welcome text of the home page.
public struct ContentPage: Hashable, Sendable {
    public var slug: Slug
    public var title: String
    public var body: String
    public var contentHash: String

    static func parse(_ text: String, file: String) throws -> ContentPage {
        let article = try KBArticle.parse(text, file: file)
        return ContentPage(slug: article.slug, title: article.title, body: article.body, contentHash: article.contentHash)
    }
}

/// Reads the Markdown sources of a site: KB articles from `content/kb/` and `var/kb/`, pages.
public enum SiteContent {
    /// Every article, drafts included, sorted by slug; two files with one slug are an error.
    /// The files are read and parsed on every core (a build reads them all before it renders).
    public static func articles(_ paths: SitePaths) throws -> [KBArticle] {
        let files = try markdownFiles(in: paths.contentKB) + markdownFiles(in: paths.publishedKB)
        let parsed = ParsedFiles(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            parsed.set(i, Result { try KBArticle.parse(try read(files[i]), file: files[i]) })
        }
        var bySlug: [Slug: KBArticle] = [:]
        for (file, result) in zip(files, parsed.results) {
            let article = try result.get()
            if article.slug.isReserved {
                throw SiteError(file: file, "'/kb/\(article.slug)/' is a page of the knowledge base itself: rename the file")
            }
            if let other = bySlug[article.slug] {
                throw SiteError(file: file, "slug '\(article.slug)' is also the slug of \(other.file)")
            }
            bySlug[article.slug] = article
        }
        return bySlug.values.sorted { $0.slug < $1.slug }
    }

    public static func pages(_ paths: SitePaths) throws -> [ContentPage] {
        try markdownFiles(in: paths.contentPages).map { try ContentPage.parse(try read($0), file: $0) }
    }

    /// What `articles` and `pages` would read, as one hash of each Markdown file's path, size,
    /// modification time and inode: a build compares it instead of reading the files.
    public static func stamp(_ paths: SitePaths) -> String {
        var text = ""
        for dir in [paths.contentKB, paths.publishedKB, paths.contentPages] {
            for file in (try? markdownFiles(in: dir)) ?? [] {
                var info = stat()
                guard stat(file, &info) == 0 else {
                    text += "\(file)\t?\n"
                    continue
                }
                text += "\(file)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\t\(info.st_ino)\n"
            }
        }
        return StableHash.hex(text)
    }

    static func markdownFiles(in dir: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted().map { dir + "/" + $0 }
    }

    static func read(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else { throw SiteError(file: file, "cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw SiteError(file: file, "not UTF-8") }
        return text
    }
}

/// The results of a parallel parse, each in its file's place.
private final class ParsedFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<KBArticle, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: Result<KBArticle, Error>) {
        lock.lock()
        slots[i] = result
        lock.unlock()
    }

    var results: [Result<KBArticle, Error>] { slots.map { $0! } }
}
