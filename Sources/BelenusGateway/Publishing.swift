import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `POST /tickets/N/publish`: an approved ticket becomes `var/kb/SLUG.md`.
extension Gateway {
    func publish(_ ticket: Ticket, form: FormFields, by actor: Actor) throws -> Response {
        let title = try form.required("title").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = try form.required("body")
        try TicketDraft.require(title, field: "title", maxScalars: TicketDraft.maxTitleLength)
        guard body.utf8.count <= TicketDraft.maxBodyBytes else { throw GatewayError(400, "is too long", field: "body") }
        try checkAnonymous(title: title, body: body, ticket: ticket)
        guard let base = Slug(making: title) else {
            throw GatewayError(400, "needs letters or digits for the article's address", field: "title")
        }
        let existing = try Set(SiteContent.articles(paths).map(\.slug.rawValue))
        func file(_ slug: Slug) -> String { "\(paths.publishedKB)/\(slug).md" }
        var chosen: Slug?
        do {
            // The slug is chosen and its file written inside the change's transaction: publishes
            // take SQLite's write lock one at a time, so two never choose the same free slug.
            try store.change(ticket.number, by: actor, at: now, policy: config.slaPolicy, mail: nil) { current, _ in
                var slug = base, n = 2
                while slug.isReserved || existing.contains(slug.rawValue) || FileManager.default.fileExists(atPath: file(slug)) {
                    slug = Slug(rawValue: "\(base.rawValue.prefix(75))-\(n)")
                    n += 1
                }
                let change = try current.publish(slug: slug, by: actor, at: now)
                let text = """
                    ---
                    title: \(JSON.quote(title))
                    product: \(JSON.quote(ticket.product))
                    updated: \(Timestamp.iso(now))
                    source_ticket: \(ticket.number)
                    ---

                    \(ByteText.unixLineEnds(body))

                    """
                // If the file cannot be written, nothing is recorded. The temporary file is
                // beside it (same file system); it does not end in `.md`.
                try AtomicFile.write(Array(text.utf8), to: file(slug), temporaryFolder: paths.publishedKB)
                chosen = slug
                return change
            }
        } catch {
            if let chosen { unlink(file(chosen)) }
            throw error
        }
        let slug = chosen ?? base
        regeneratePages([ticket.number])
        do {
            try builder().regeneratePublicPages(now: now)
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: KB pages after publishing \(slug): \(error)\n".utf8))
        }
        return .seeOther("/kb/\(slug)/", json: request.wantsJSON)
    }

    /// SPEC §5: the article names neither the client's company nor its people, as its reader
    /// sees it: the title as text, the body as cmark renders it (`ClientNames`).
    func checkAnonymous(title: String, body: String, ticket: Ticket) throws {
        let names = ClientNames(company: ticket.org, people: try store.clientPeople(of: ticket))
        if let name = names.mention(inText: title) {
            throw GatewayError(400, "names the client ('\(name)'): remove it", field: "title", code: "client_named", values: [name])
        }
        if let name = names.mention(inHTML: Markdown.html(body).text) {
            throw GatewayError(400, "names the client ('\(name)'): remove it", field: "body", code: "client_named", values: [name])
        }
    }
}
