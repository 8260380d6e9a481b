import BelenusTemplates

/// What a refused form shows at its top: the field's label and the problem, in the site's words.
struct FormError: TemplateModel {
    var fieldLabel: String
    var message: String
    static let templateFields = TemplateFields<FormError> {
        $0.text("field_label") { $0.fieldLabel }
        $0.text("message") { $0.message }
    }
}

/// `password-forgot.mustache`: the address to send a reset link to; `sent` once asked.
struct ForgotPasswordPage: TemplateModel {
    var email: String
    var sent: Bool
    var error: FormError?
    static let templateFields = TemplateFields<ForgotPasswordPage> {
        $0.text("email") { $0.email }
        $0.flag("sent") { $0.sent }
        $0.object("error", \.error)
    }
}

/// `password-reset.mustache`: a new password for the account a link opened (an invitation sets
/// the first one). `token` goes back in a hidden field; `valid` is false for a link that no
/// longer works.
struct ResetPasswordPage: TemplateModel {
    var token: String
    var name: String
    var invitation: Bool
    var valid: Bool
    var error: FormError?
    static let templateFields = TemplateFields<ResetPasswordPage> {
        $0.text("token") { $0.token }
        $0.text("name") { $0.name }
        $0.flag("invitation") { $0.invitation }
        $0.flag("valid") { $0.valid }
        $0.object("error", \.error)
    }
}

/// `account.mustache`, *Mi cuenta*: one's own name and address, and the password form.
struct AccountPage: TemplateModel {
    var name: String
    var email: String
    var login: String
    var changed: Bool
    var error: FormError?
    static let templateFields = TemplateFields<AccountPage> {
        $0.text("name") { $0.name }
        $0.text("email") { $0.email }
        $0.text("login") { $0.login }
        $0.flag("changed") { $0.changed }
        $0.object("error", \.error)
    }
}

/// `mail/account-subject.mustache` and `mail/account.mustache`: an invitation or a reset link,
/// plain text.
struct AccountMailView: TemplateModel {
    var name: String
    var login: String
    var link: String
    var invitation: Bool
    var site: String
    static let templateFields = TemplateFields<AccountMailView> {
        $0.text("name") { $0.name }
        $0.text("login") { $0.login }
        $0.text("link") { $0.link }
        $0.flag("invitation") { $0.invitation }
        $0.text("site_title") { $0.site }
    }
}
