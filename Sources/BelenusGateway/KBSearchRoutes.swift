import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET /kb/search`.
extension Gateway {
    /// `GET /kb/search?q=`: anyone; FTS5, accents folded, bm25.
    func kbSearch() throws -> Response {
        _ = try? currentSession()  // for the CSRF token of the logout form
        let query = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard query.unicodeScalars.count <= 200 else { throw GatewayError(400, "at most 200 characters", field: "q") }
        let hits = try store.searchKB(query)
        if request.wantsJSON {
            return .json(
                200,
                .object([
                    ("query", .string(query)),
                    (
                        "results",
                        .array(
                            hits.map {
                                .object([
                                    ("slug", .string($0.slug)), ("title", .string($0.title)), ("product", .string($0.product)),
                                    (
                                        "snippet",
                                        .string(
                                            ByteText.replacing("\u{3}", with: "", in: ByteText.replacing("\u{2}", with: "", in: $0.snippet))
                                        )
                                    ),
                                    ("url", .string("/kb/\($0.slug)/")),
                                ])
                            })
                    ),
                ]))
        }
        return try page(200) { $0.search(query: query, hits: hits, csrf: csrfToken) }
    }
}
