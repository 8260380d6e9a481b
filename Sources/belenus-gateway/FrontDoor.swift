import BelenusBytes
import CSQLiteConfig
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `GET /tickets/N` answered by the front door: the same checks as the whole gateway's route
/// (session, CSRF cookie, who may see the ticket, a current page) on the same tables, the same
/// answer byte for byte. It answers only when every check passes on input it reads exactly as
/// the whole gateway does; for anything else (no or an expired session, a ticket the person may
/// not see, a stale page, JSON, HEAD, an odd cookie or path) it returns nil and the whole gateway
/// answers, with its redirects, status pages and regeneration. EndToEndTests/FrontDoorTests
/// compare the two on each case.
struct FrontDoor {
    let site: String
    let route: String
    let number: Int64
    let cookies: Cookies

    /// The request, if it is a page view this door may answer; nil for every other.
    init?(_ env: CGIEnvironment) {
        guard !env.ambiguous, let method = env["REQUEST_METHOD"], ByteText.same(method, "GET"),
              let path = env["PATH_INFO"], let number = Self.ticketNumber(path),
              // JSON is the whole gateway's (a superset of its "application/json" test).
              !ByteText.contains((env["HTTP_ACCEPT"] ?? "").lowercased(), "json"),
              // A CONTENT_LENGTH that is not a number is answered 400 by the whole gateway.
              (env["CONTENT_LENGTH"] ?? "").utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let cookies = Self.cookies(env["HTTP_COOKIE"] ?? "")
        else { return nil }
        self.route = path
        self.number = number
        self.cookies = cookies
        if let folder = env["BELENUS_SITE"], !folder.isEmpty {
            site = folder
        } else {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard getcwd(&buffer, buffer.count) != nil else { return nil }
            site = String(cString: buffer)
        }
    }

    /// "/tickets/N" with N a positive number written without a leading zero.
    static func ticketNumber(_ path: String) -> Int64? {
        let prefix = Array("/tickets/".utf8), bytes = Array(path.utf8)
        guard bytes.count > prefix.count, bytes.count <= prefix.count + 18, bytes.starts(with: prefix) else { return nil }
        let digits = bytes[prefix.count...]
        guard digits.first != UInt8(ascii: "0"), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
    }

    /// The session and CSRF cookies, read as the whole gateway reads them (`CGIText.cookiePairs`,
    /// the first of a name). Nil for a header with a control or non-ASCII byte: that one is the
    /// whole gateway's to read.
    static func cookies(_ header: String) -> Cookies? {
        guard header.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7f) || $0 == 9 }) else { return nil }
        let pairs = CGIText.cookiePairs(header)
        func first(_ name: String) -> String? { pairs.first { ByteText.same($0.name, name) }?.value }
        return Cookies(session: first("belenus_session"), csrf: first("belenus_csrf"))
    }

    struct Cookies {
        var session: String?
        var csrf: String?
    }

    struct Answer {
        let bytes: [UInt8]
        let login: String
    }

    /// The CGI answer, or nil when the whole gateway must answer.
    func answer(now: Double) -> Answer? {
        // The whole gateway reads belenus.toml first and fails without it; this door does not
        // parse it (a page view depends on nothing in it), but answers only where it is.
        guard access(site + "/belenus.toml", R_OK) == 0,
              let token = cookies.session, CGIText.isToken(token)
        else { return nil }
        let csrf = cookies.csrf
        if let csrf, !CGIText.isToken(csrf) { return nil }

        guard let database = ReadOnlyDatabase(path: site + "/var/belenus.sqlite3") else { return nil }
        let pagePath = CGIText.ticketPagePath(Int(number))
        // One statement (one snapshot, one compilation; four of them were a tenth of a view):
        // the session's person, the ticket's company (NOT NULL: none when there is no ticket)
        // and its page's fingerprint, when the schema is the one this was written for.
        guard let row = try? database.row("""
                  SELECT s.csrf_hash, u.login, u.role, u.org,
                         (SELECT org FROM tickets WHERE number = ?3), (SELECT fingerprint FROM pages WHERE path = ?4)
                  FROM sessions s JOIN users u ON u.login = s.login
                  WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0
                    AND EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = ?5)
                  """, [.text(SHA256.hex(token.utf8)), .text(UTCTime.iso(Int(now.rounded(.down)))), .integer(number),
                        .text(pagePath), .text(FrontDoorSchema.migration)]),
              let csrfHash = row[0], let login = row[1], let ticketOrg = row[4], let fingerprint = row[5], fingerprint != "stale"
        else { return nil }
        // Rulebook.canSee: staff see every ticket, a client their company's (an unknown role
        // is a client's, as the store reads it).
        let staff = row[2] == "tech" || row[2] == "admin"
        guard staff || (row[3] != nil && row[3] == ticketOrg) else { return nil }

        guard let page = Self.contents(of: site + "/output/" + pagePath) else { return nil }
        // The session's CSRF token in the page's forms when its cookie is the session's.
        var slots = ""
        if let csrf, ByteText.constantTimeEquals(SHA256.hex(csrf.utf8), csrfHash) { slots = csrf }
        // Filled first: the slots are offsets in the page as written.
        let body = PageBlocks.cut(PageBlocks.filled(page, with: slots), block: staff ? "client" : "staff")
        let head = [(name: "Content-Type", value: "text/html; charset=utf-8")] + SecurityHeaders.all  // as `Response.html`
        return Answer(bytes: CGIText.answer(status: 200, reason: "OK", headers: head, body: body), login: login)
    }

    /// A whole file; nil if it cannot be read.
    static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            filled += n
        }
        return bytes
    }
}
