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

    /// Delivers the due messages (only `ids`, when given: the gateway's own after a request).
    @discardableResult
    public func deliver(ids: [Int64]? = nil, now: Date = Date()) throws -> Report {
        var report = Report()
        for message in try store.claimMail(ids: ids, at: now) {
            do {
                try transport.send(MailMessage(message, from: from), id: message.id)
                try store.markMailSent(message.id, at: Date())
                report.sent += 1
            } catch {
                try store.markMailFailed(message.id, error: "\(error)", attempts: message.attempts, at: Date())
                report.failed += 1
                report.errors.append("message \(message.id): \(error)")
            }
        }
        return report
    }
}
