import BelenusCore
import BelenusInput
import BelenusMail
import BelenusStore
import BelenusViews
import Foundation

/// `/password/forgot`, `/password/reset`, `/account` (SPEC §5): passwords without a shell.
///
/// The forgot form answers every address the same (a 303 to `?sent=1`, and the mail, if any,
/// goes out after the answer); both forms are throttled by address like `/login`. A link's token
/// is 128 random bits, stored hashed, spent on use, valid 60 minutes (an invitation's 7 days).
extension Gateway {
    func forgotPasswordForm() throws -> Response {
        let sent = request.queryValue("sent") == "1"
        if request.wantsJSON { return .json(200, .object([("sent", .bool(sent))])) }
        return try page(200) { $0.forgotPassword(email: "", sent: sent, error: nil) }
    }

    func forgotPassword(_ form: FormFields) throws -> Response {
        let email = (form.value("email") ?? "").trimmingCharacters(in: .whitespaces)
        guard !email.isEmpty else { return try refusedForgot(email, FieldError.required("email")) }
        guard email.utf8.count <= 254 else {
            return try refusedForgot(String(email.unicodeScalars.prefix(254)), FieldError.tooLong("email", bytes: 254))
        }
        try throttle()
        let token = Secrets.newToken()
        if let user = try store.forgottenPassword(email: email, tokenHash: Secrets.sha256(token), at: now) {
            let views = try views.get()
            let link = AccountMail.link(token: token, config: config)
            accountMails.append(AccountMail(views.accountMail(for: user, link: link, invitation: false), to: user.email))
        }
        return .seeOther(link("/password/forgot?sent=1"), json: request.wantsJSON)
    }

    private func refusedForgot(_ email: String, _ error: FieldError) throws -> Response {
        if request.wantsJSON { throw error }
        return try page(error.status) { $0.forgotPassword(email: email, sent: false, error: error) }
    }

    func resetPasswordForm() throws -> Response {
        let token = request.queryValue("token") ?? ""
        let found = CGIText.isToken(token) ? try store.accountLink(tokenHash: Secrets.sha256(token), at: now) : nil
        if request.wantsJSON {
            guard let found else {
                throw FieldError(field: "token", message: "the link no longer works: ask for a new one", code: "link_invalid")
            }
            return .json(200, .object([("login", .string(found.user.login.rawValue)), ("purpose", .string(found.purpose.rawValue))]))
        }
        var response = try page(found == nil ? 400 : 200) {
            $0.resetPassword(token: token, user: found?.user, invitation: found?.purpose == .invite, error: nil)
        }
        response.headers.append((name: "Cache-Control", value: "no-store"))
        return response
    }

    /// Spends the link: the password is set and every session of the account ends.
    func resetPassword(_ form: FormFields) throws -> Response {
        try throttle()
        let token = form.value("token") ?? ""
        guard CGIText.isToken(token), let found = try store.accountLink(tokenHash: Secrets.sha256(token), at: now) else {
            throw FieldError(field: "token", message: "the link no longer works: ask for a new one", code: "link_invalid")
        }
        let password = form.value("password") ?? ""
        do {
            try NewPassword.check(password, repeated: form.value("password2") ?? "")
        } catch {
            if request.wantsJSON { throw error }
            return try page(400) { $0.resetPassword(token: token, user: found.user, invitation: found.purpose == .invite, error: error) }
        }
        let hash = try PasswordHasher.standard.hash(password)
        guard try store.setPassword(byLink: Secrets.sha256(token), passwordHash: hash, at: now) != nil else {
            throw FieldError(field: "token", message: "the link no longer works: ask for a new one", code: "link_invalid")
        }
        return .seeOther(link("/login"), json: request.wantsJSON)
    }

    func accountPage(_ user: SignedIn) throws -> Response {
        let person = user.session.user
        if request.wantsJSON {
            return .json(
                200,
                .object([
                    ("login", .string(person.login.rawValue)), ("name", .string(person.name)),
                    ("email", .string(person.email)), ("role", .string(person.role.rawValue)), ("org", .optional(person.org)),
                ]))
        }
        // Just changed: this session's password was typed a moment ago (SPEC §5: 303 to /account).
        let changed =
            now.timeIntervalSince(user.session.passwordAt) < 10
            && request.headers["referer"].map { ByteText.contains($0, "/account") } == true
        return try page(200) { $0.account(person, changed: changed, error: nil, csrf: user.csrfToken) }
    }

    /// *Mi cuenta*: the current password, then the new one twice; the other sessions end.
    func changePassword(_ user: SignedIn) throws -> Response {
        let form = user.form
        do {
            let current = form.value("current") ?? ""
            guard let stored = try store.passwordHash(of: user.session.user.login),
                  PasswordHasher.verify(current, against: stored.hash)
            else { throw FieldError(field: "current", message: "the password is not right", code: "wrong_password") }
            let password = form.value("password") ?? ""
            try NewPassword.check(password, repeated: form.value("password2") ?? "")
            let session = request.cookies["belenus_session"] ?? ""
            try store.changePassword(
                of: user.session.user.login, to: try PasswordHasher.standard.hash(password), keeping: Secrets.sha256(session), at: now)
        } catch let error as FieldError {
            if request.wantsJSON { throw error }
            return try page(400) { $0.account(user.session.user, changed: false, error: error, csrf: user.csrfToken) }
        }
        return .seeOther(link("/account"), json: request.wantsJSON)
    }

    /// The forms anyone may post are counted by address, like failed logins (429 past the limit).
    private func throttle() throws {
        let address = LoginThrottle.key(address: request.remoteAddress)
        guard try store.beginLoginAttempt([(address, LoginThrottle.attemptsPerAddress)], at: now, window: LoginThrottle.window) else {
            throw GatewayError(429, (try? views.get().string("error_429")) ?? "too many attempts; wait a few minutes")
        }
    }
}
