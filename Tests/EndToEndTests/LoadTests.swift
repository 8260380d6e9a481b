import BelenusTestSupport
import Foundation
import Testing

/// Many writers at once against one site, ten requests each: comments on two tickets, new
/// tickets (some with a file) and logins, each through the real gateway binary. SQLITE_BUSY never
/// reaches anyone as a 500 (the gateway waits, or answers 503 with `Retry-After`), and every
/// change answered 303 is in the database and on its page.
@Suite struct LoadTests {
    enum Kind: String { case comment, ticket, login }

    struct Outcome {
        let kind: Kind
        let status: Int
        let retryAfter: String?
        let text: String      // the comment or title sent
        let location: String
    }

    @Test func concurrentCommentsTicketsAndLoginsLoseNothing() throws {
        let site = try GatewaySite.make(through: .binary)
        let tickets = [try site.openTicket(as: site.ana), try site.openTicket(as: site.bob, product: "Bancos")]
        let collected = Collected<Outcome>()
        // A bounded count, not a time: what is checked does not depend on the machine's speed.
        let requestsPerWriter = 10
        let done = DispatchGroup()
        let writers: [(Kind, Int)] = [(.comment, 0), (.comment, 1), (.comment, 2), (.ticket, 0), (.ticket, 1), (.login, 0)]
        for (kind, writer) in writers {
            done.enter()
            Thread {
                for i in 1...requestsPerWriter {
                    let text = "\(kind.rawValue) \(writer)-\(i)"
                    let answer: CGI.Answer?
                    switch kind {
                    case .comment:
                        let (login, ticket) = [(site.ana, tickets[0]), (site.bob, tickets[1]), (site.tech, tickets[0])][writer]
                        answer = try? site.run("POST", "/tickets/\(ticket)/comments", as: login, fields: [("body", text)])
                    case .ticket:
                        let files = i % 3 == 0 ? [("file", "registro-\(writer)-\(i).txt", Array("línea \(i)\n".utf8))] : []
                        answer = try? site.run("POST", "/tickets", as: writer == 0 ? site.ana : site.bob, multipart: [
                            ("title", text), ("product", writer == 0 ? "Nómina" : "Bancos"), ("version", writer == 0 ? "2025.1" : "3.0"),
                            ("body", "Cuerpo de \(text)"),
                        ], files: files)
                    case .login:
                        let who = ["ana", "bob", "tech1"][i % 3]
                        answer = try? CGI.run(site: site.root, "POST", "/login",
                                              body: CGI.urlencoded([("login", who), ("password", GatewaySite.passwords[who]!)]),
                                              contentType: "application/x-www-form-urlencoded", through: .binary)
                    }
                    let outcome = Outcome(kind: kind, status: answer?.status ?? -1, retryAfter: answer?.header("Retry-After"), text: text,
                                          location: answer?.location ?? "")
                    collected.append(outcome)
                }
                done.leave()
            }.start()
        }
        done.wait()
        let outcomes = collected.items

        let answered = outcomes.filter { $0.status == 303 }
        #expect(outcomes.allSatisfy { $0.status == 303 || ($0.status == 503 && $0.retryAfter != nil) },
                "\(outcomes.filter { $0.status != 303 }.map { "\($0.kind) \($0.status)" })")
        #expect(outcomes.count == writers.count * requestsPerWriter)
        for kind in [Kind.comment, .ticket, .login] {
            #expect(answered.contains { $0.kind == kind }, "no \(kind) answered: nothing to check")
        }
        #expect(try site.sqlite("PRAGMA integrity_check") == "ok")

        // Every comment answered is in the database once, and on its ticket's page.
        let comments = try site.sqlite("SELECT body FROM events WHERE kind = 'comment'").split(separator: "\n").map(String.init)
        let pages = tickets.map { site.read("output/private/tickets/\($0)/index.html") }
        for outcome in answered where outcome.kind == .comment {
            #expect(comments.filter { $0 == outcome.text }.count == 1, "\(outcome.text) in the database")
            #expect(pages.contains { $0.contains(outcome.text) }, "\(outcome.text) on its page")
        }
        #expect(comments.count == answered.filter { $0.kind == .comment }.count)
        // Every new ticket answered has its row and its page, under the number its answer named.
        for outcome in answered where outcome.kind == .ticket {
            let number = outcome.location.split(separator: "/").last.map(String.init) ?? ""
            #expect(try site.sqlite("SELECT title FROM tickets WHERE number = \(Int(number) ?? -1)") == outcome.text)
            #expect(site.read("output/private/tickets/\(number)/index.html").contains(outcome.text))
        }
        #expect(try site.count("tickets") == 2 + answered.filter { $0.kind == .ticket }.count)
        // Every login answered made a session (the template's four, the two tickets' none).
        #expect(try site.count("sessions") == 4 + answered.filter { $0.kind == .login }.count)
        // And the lists hold every ticket: the staff's first bucket shows the newest.
        let newest = try site.sqlite("SELECT MAX(number) FROM tickets")
        #expect(try CLI.run(["build", "--site", site.root]).status == 0)
        #expect(CGI.isWholePage(site.read("output/private/tickets/\(newest)/index.html")))
    }
}
