import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusSite
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
        guard let base = Slug(making: title) else { throw GatewayError(400, "needs letters or digits for the article's address", field: "title") }
        let existing = try Set(SiteContent.articles(paths).map(\.slug.rawValue))
        var slug = base
        var n = 2
        while existing.contains(slug.rawValue) || FileManager.default.fileExists(atPath: "\(paths.publishedKB)/\(slug).md") {
            slug = Slug(rawValue: "\(base.rawValue.prefix(75))-\(n)")
            n += 1
        }
        let file = "\(paths.publishedKB)/\(slug).md"
        let text = """
            ---
            title: \(JSON.quote(title))
            product: \(JSON.quote(ticket.product))
            updated: \(Timestamp.iso(now))
            source_ticket: \(ticket.number)
            ---

            \(ByteText.unixLineEnds(body))

            """
        do {
            try store.change(ticket.number, by: actor, at: now, mail: nil) { current, _ in
                let change = try current.publish(slug: slug, by: actor, at: now)
                // Inside the transaction: if the file cannot be written, nothing is recorded. The
                // temporary file is beside it (same file system); it does not end in `.md`.
                try AtomicFile.write(Array(text.utf8), to: file, temporaryFolder: paths.publishedKB)
                return change
            }
        } catch {
            unlink(file)
            throw error
        }
        regeneratePages([ticket.number])
        do {
            try builder().regeneratePublicPages(now: now)
        } catch {
            FileHandle.standardError.write(Data("belenus-gateway: KB pages after publishing \(slug): \(error)\n".utf8))
        }
        return .seeOther("/kb/\(slug)/", json: request.wantsJSON)
    }

    /// SPEC §5: the article names neither the client's company nor its people.
    func checkAnonymous(title: String, body: String, ticket: Ticket) throws {
        var names = [ticket.org, ticket.requester.rawValue]
        for user in try store.users() where user.org == ticket.org || user.login == ticket.requester {
            names += [user.name, user.login.rawValue, user.email]
        }
        // Folded, then compared by bytes: "Acme" followed by a combining mark that folding
        // keeps is one Character "e" + mark, which `String.contains("acme")` would not find.
        func fold(_ s: String) -> String { s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        for name in names where name.count >= 3 {
            let needle = fold(name)
            if ByteText.contains(fold(title), needle) { throw GatewayError(400, "names the client ('\(name)'): remove it", field: "title", code: "client_named", values: [name]) }
            if ByteText.contains(fold(body), needle) { throw GatewayError(400, "names the client ('\(name)'): remove it", field: "body", code: "client_named", values: [name]) }
        }
    }
}
