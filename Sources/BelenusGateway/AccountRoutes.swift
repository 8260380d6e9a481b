import BelenusCore
import BelenusInput
import BelenusFiles
import BelenusBuild
import BelenusViews
import BelenusStore
import Foundation

/// `GET|POST /login`, `POST /logout`.
extension Gateway {
    func loginForm(status: Int, error: String?, login: String, field: String = "password") -> Response {
        guard !request.wantsJSON else {
            return .json(status, error.map { .object([("error", .string($0)), ("field", .string(field))]) } ?? .object([]))
        }
        return (try? page(status) { $0.login(error: error, login: login) }) ?? errorResponse(GatewayError(500, "the theme did not load"))
    }

    /// Verifies the Argon2id hash; a new session id at every login (no fixation). A wrong
    /// password and an unknown login get the same answer after the same work (one Argon2 run).
    /// The attempt is counted before the hash (`Store.beginLoginAttempt`): simultaneous
    /// attempts cannot pass the limit. A login longer than any account's is refused before
    /// anything is stored.
    func login(_ form: FormFields) throws -> Response {
        let name = try form.required("login").trimmingCharacters(in: .whitespaces)
        let password = try form.required("password")
        guard name.utf8.count <= Login.maxBytes else {
            let message = (try? views.get().string("login_failed")) ?? "wrong user name or password"
            return loginForm(status: 400, error: message, login: name, field: "login")
        }
        let account = LoginThrottle.key(login: name), address = LoginThrottle.key(address: request.remoteAddress)
        let limits = [(account, LoginThrottle.attemptsPerLogin), (address, LoginThrottle.attemptsPerAddress)]
        guard try store.beginLoginAttempt(limits, at: now, window: LoginThrottle.window) else {
            throw GatewayError(429, (try? views.get().string("error_429")) ?? "too many failed logins; wait a few minutes")
        }
        let stored = try store.passwordHash(of: Login(name))
        let verified: Bool
        if let stored {
            verified = PasswordHasher.verify(password, against: stored.hash)
        } else {
            _ = try? PasswordHasher.standard.hash(password)  // the same time as a verification
            verified = false
        }
        guard verified, let user = stored?.user else {
            let message = (try? views.get().string("login_failed")) ?? "wrong user name or password"
            return loginForm(status: 401, error: message, login: name)
        }
        try store.loginSucceeded(account: account, address: address)
        let token = Secrets.newToken(), csrf = Secrets.newToken()
        let lifetime = config.sessionHours * 3600
        try store.createSession(
            tokenHash: Secrets.sha256(token), csrfHash: Secrets.sha256(csrf), login: user.login, at: now, lifetime: lifetime)
        if let old = request.cookies["belenus_session"] { try store.deleteSession(tokenHash: Secrets.sha256(old)) }
        var response = Response.seeOther(link("/tickets"), json: request.wantsJSON)
        response.signedIn = user.login
        response.headers.append((name: "Set-Cookie", value: cookie("belenus_session", token, maxAge: Int(lifetime), httpOnly: true)))
        response.headers.append((name: "Set-Cookie", value: cookie("belenus_csrf", csrf, maxAge: Int(lifetime), httpOnly: false)))
        return response
    }

    func logout() throws -> Response {
        if let token = request.cookies["belenus_session"] { try store.deleteSession(tokenHash: Secrets.sha256(token)) }
        var response = Response.seeOther(link("/login"), json: request.wantsJSON)
        response.headers.append((name: "Set-Cookie", value: cookie("belenus_session", "", maxAge: 0, httpOnly: true)))
        response.headers.append((name: "Set-Cookie", value: cookie("belenus_csrf", "", maxAge: 0, httpOnly: false)))
        return response
    }

    /// Path `/`: the static pages' script reads `belenus_csrf` wherever it runs.
    func cookie(_ name: String, _ value: String, maxAge: Int, httpOnly: Bool) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "Max-Age=\(maxAge)", "SameSite=Lax"]
        if httpOnly { parts.append("HttpOnly") }
        if config.cookieSecure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }
}
