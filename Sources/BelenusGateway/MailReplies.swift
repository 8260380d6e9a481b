import BelenusCore
import BelenusInput
import BelenusMail
import BelenusStore
import Foundation

/// `belenus mail receive` (SPEC §7): a reply by mail becomes a comment, as if its person had
/// written it in the browser (one transaction, the pages, the mail), only when everything holds:
/// a machine did not send it; it went to a reply address of this site whose signature is right;
/// `From` is the address of the person the token names, and that person is active and may
/// comment on the ticket; its Message-ID was not taken before; it has new text or files. Built
/// on the gateway, whose attachments, regeneration and mail it shares: the message is its request.
extension Gateway {
    public enum ReplyOutcome: Equatable, Sendable {
        case taken(TicketNumber)
        /// Kept in `var/mail/rejected/` and never answered; the reason goes to the log.
        case setAside(String)
    }

    /// - Throws: `InboundMailError` when the bytes are not a message (the MTA bounces it: 65),
    ///   `StoreBusy` when the database stays busy (75: the MTA keeps it and tries again).
    public func receiveReply(_ bytes: [UInt8]) throws -> ReplyOutcome {
        let mail = try InboundMail(bytes)
        // A delivery report about one of our messages: the address that failed is marked.
        if let report = mail.deliveryFailures, let id = report.messageID {
            let failed = try report.addresses.filter { try store.sentMail(id, to: $0) }
            if !failed.isEmpty {
                let marked = try store.markBouncing(failed, at: now)
                let who = marked.isEmpty ? "no account" : marked.map(\.rawValue).joined(separator: ", ")
                return .setAside("a delivery report about our message: \(failed.joined(separator: ", ")) bounces (\(who))")
            }
        }
        if let automatic = mail.automaticReason { return .setAside("sent by a machine: \(automatic)") }
        guard !config.replyTo.isEmpty else { return .setAside("replies by mail are off ([mail] reply_to is empty)") }
        guard let token = mail.recipientAddresses.lazy.compactMap({ ReplyToken.token(in: $0, replyTo: self.config.replyTo) }).first
        else { return .setAside("not sent to a reply address of this site") }
        guard let target = try store.replyTarget(token: token, at: now) else {
            return .setAside("a reply address whose signature is wrong or whose key expired: \(token)")
        }
        let person = target.person
        guard let from = mail.fromAddress, Array(from.utf8) == InboundMail.folded(person.email) else {
            return .setAside("From \(mail.fromAddress ?? "(none)") is not \(person.login), to whom the address was given")
        }
        guard !person.disabled else { return .setAside("\(person.login) is disabled") }
        // Files within the ticket limits; those left out are named in the comment.
        var files: [UploadedFile] = [], leftOut: [String] = []
        for file in mail.files {
            if files.count < config.maxAttachments && file.bytes.count <= config.maxAttachmentBytes {
                files.append(UploadedFile(filename: file.name, contentType: file.contentType, bytes: file.bytes))
            } else {
                leftOut.append(file.name)
            }
        }
        var body = ReplyText.newText(mail.text)
        guard !body.isEmpty || !files.isEmpty || !leftOut.isEmpty else {
            return .setAside("no new text above the quoted message, and no file")
        }
        let views = try self.views.get()
        if !leftOut.isEmpty {
            body += (body.isEmpty ? "" : "\n\n") + views.theme.string("mail_files_left_out", leftOut.joined(separator: ", "))
        }
        if body.isEmpty { body = views.theme.string("mail_files_only") }
        let actor = Actor(login: person.login, role: person.role, org: person.org)
        let claim = mail.messageID ?? "sha256:" + Secrets.sha256(bytes)
        do {
            let names = try store.staffNames()
            let plan = MailPlan(config: config) { change, link, replies in
                views.notice(for: change, actorName: person.name, names: names, link: link, replies: replies)
            }
            mailPlans.append(plan)
            _ = try withAttachments(files) { attachments in
                try store.change(
                    target.ticket, by: actor, at: now, policy: config.slaPolicy, attachments: attachments, mail: plan, claim: claim
                ) { ticket, context in
                    try ticket.comment(body, by: actor, at: now, clock: context.clock)
                }
            }
        } catch let refused as RuleViolation {
            return .setAside("ticket \(target.ticket): \(refused.message)")
        } catch let refused as FieldError {
            return .setAside("the comment: \(refused.field) \(refused.message)")
        }
        regeneratePages([target.ticket])
        return .taken(target.ticket)
    }
}
