/// A form of a ticket's page that the gateway refused: the page is rendered again with the
/// error above the ticket and what was typed back in the form (SPEC §5: nothing typed is lost).
public struct RefusedForm: Sendable {
    /// Which form of the page.
    public enum Form: Sendable {
        case clientComment, staffComment, reopen, close, update, publish, other
    }

    public var form: Form
    /// The fields as they were sent.
    public var values: [String: String]
    /// The field at fault, in the site's language, and what is wrong with it.
    public var fieldLabel: String
    public var message: String

    public init(form: Form, values: [String: String], fieldLabel: String, message: String) {
        self.form = form
        self.values = values
        self.fieldLabel = fieldLabel
        self.message = message
    }

    /// What was typed in `field` of this form, or nil when this is not the form refused.
    func typed(_ form: Form, _ field: String) -> String? {
        self.form == form ? values[field] ?? "" : nil
    }
}
