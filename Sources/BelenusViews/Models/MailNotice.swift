import BelenusTemplates

/// `mail/subject.mustache` and `mail/notice.mustache`: the words of the mail about a change
/// (SPEC §7), plain text. It says it is automatic, names the ticket, what happened and who did
/// it, and links to the ticket's page.
struct MailNotice: TemplateModel {
    typealias Change = TicketPageView.Change

    /// "This is an automatic message from <site>…", in the site's language.
    var intro: String
    var number: Int
    var title: String
    var product: String
    var version: String
    var statusLabel: String
    var waitingLabel: String
    var actorName: String
    var eventLabel: String
    var changes: [Change]
    /// The new ticket's description, or the comment, solution or reason; empty for none.
    var text: String
    var link: String
    static let templateFields = TemplateFields<MailNotice> {
        $0.text("intro") { $0.intro }
        $0.number("number") { $0.number }
        $0.text("title") { $0.title }
        $0.text("product") { $0.product }
        $0.text("version") { $0.version }
        $0.text("status_label") { $0.statusLabel }
        $0.text("waiting_label") { $0.waitingLabel }
        $0.text("actor_name") { $0.actorName }
        $0.text("event_label") { $0.eventLabel }
        $0.list("changes") { $0.changes }
        $0.text("text") { $0.text }
        $0.text("link") { $0.link }
    }
}
