import BelenusStore
import Foundation

/// Hands queued mail to the transport; what fails stays queued for a later try with back-off.
public struct MailDelivery: Sendable {
    public let store: Store
    public let transport: MailTransport
    /// The `From:` of every message (`[mail] from`).
    public let from: String

    public init(store: Store, transport: MailTransport, from: String) {
        self.store = store
        self.transport = transport
        self.from = from
    }

    public struct Report: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        public var errors: [String] = []
    }

    /// Delivers the due messages, or only `ids`: a request's own, after its answer.
    ///
    /// A request's messages were claimed when they were queued (`Store.mailLease`), and those
    /// sent are marked in one write at the end: the request takes the write lock once after its
    /// answer, not twice a message. `belenus mail deliver` marks each as it goes, so that a long
    /// run cut short sends none twice.
    @discardableResult
    public func deliver(ids: [Int64]? = nil, now: Date = Date()) throws -> Report {
        var report = Report()
        var sent: [Int64] = []
        var failed: [(OutboxMessage, Error)] = []
        for message in try ids.map(store.queuedMail) ?? store.claimMail(at: now) {
            do {
                try transport.send(MailMessage(message, from: from), id: message.id)
                if ids == nil { try store.markMailSent([message.id], at: Date()) } else { sent.append(message.id) }
                report.sent += 1
            } catch {
                failed.append((message, error))
            }
        }
        try store.markMailSent(sent, at: Date())
        for (message, error) in failed {
            try store.markMailFailed(message.id, error: "\(error)", attempts: message.attempts, at: Date())
            report.failed += 1
            report.errors.append("message \(message.id): \(error)")
        }
        return report
    }
}
