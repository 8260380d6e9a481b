import BelenusCore
import BelenusFiles
import BelenusStore
import BelenusViews
import Foundation

extension SiteBuilder {
    /// Brings the dashboard up to date (the gateway calls it before serving it: its counts move
    /// with time, and a comment should not pay for counting every open ticket).
    @discardableResult
    public func regenerateDashboard(now: Date = Date()) throws -> BuildReport {
        try BuildLock.holding(paths) {
            let job = try dashboardJob(now: now)
            let record = try store.pageRecords(paths: [Dashboard.path])[Dashboard.path]
            let target = paths.output + "/" + Dashboard.path
            var report = BuildReport(pages: 1)
            guard record?.fingerprint != job.fingerprint || !FileManager.default.fileExists(atPath: target) else { return report }
            let (saved, wrote) = try Self.writePage(job.render(nil), path: Dashboard.path, fingerprint: job.fingerprint,
                                                    output: paths.output, recorded: record)
            report.rendered = 1
            report.written = wrote ? 1 : 0
            try store.savePageRecords([saved])
            return report
        }
    }

    /// The output path of the dashboard.
    public static var dashboardPath: String { Dashboard.path }

    func dashboardJob(now: Date) throws -> PageJob {
        let names = Dictionary(try store.users().filter { $0.role != .client }.map { ($0.login, $0.name) }, uniquingKeysWith: { a, _ in a })
        let dashboard = try Dashboard(store: store, now: now, policy: config.slaPolicy, names: names)
        let (config, theme) = (config, theme)
        return PageJob(path: Dashboard.path, fingerprint: baseFingerprint + dashboard.fingerprint, ticket: nil,
                       render: { _ in dashboard.page(config: config, theme: theme) })
    }
}
