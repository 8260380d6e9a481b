import BelenusCore
import BelenusFiles
import BelenusStore
import BelenusViews
import Foundation

/// What the last whole build saw, in the store's `build_state` row: when it ran, the ticket
/// pages' shared fingerprint, the content files' stamp, and the token of the output folder it
/// wrote (also in `output/.belenus-build`). With all of them current, a build reads only what
/// changed since: the tickets noted by the store, those whose SLA state the clock moved, the
/// public pages when a content file moved, and the dashboard.
struct BuildState {
    /// In `output/`, beside `public/` and `private/`: which build wrote this folder. A folder
    /// emptied, replaced or restored has another token (or none), and gets a whole build.
    static let tokenFile = ".belenus-build"

    static func token(in paths: SitePaths) -> String? {
        FileManager.default.contents(atPath: paths.output + "/" + tokenFile).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension SiteBuilder {
    /// The build that reads what changed since the last one, or nil when it cannot be trusted to
    /// (no state, another output folder, another theme, config or technicians, a clock set back):
    /// then the whole graph is compared. The caller holds the build lock.
    func publishChanged(
        now: Date, rendering: (pages: TicketPages, staffBase: String), progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> BuildReport? {
        let state = try store.buildState()
        guard let token = BuildState.token(in: paths),
              let builtAt = Self.changesSuffice(state, token: token, now: now, rendering: rendering)
        else { return nil }
        var report = BuildReport()
        let content = contentStamp()
        if state.content != content {
            report = try publishLocked(.publicOnly, now: now)
        }
        let (mark, changed) = try store.changedTickets()
        let numbers = Set(changed + (try store.slaCrossings(after: builtAt, upTo: now)))
        let jobs = try ticketJobs(numbers.sorted { $0.rawValue < $1.rawValue }, rendering: rendering) + [try dashboardJob(now: now)]
        let tickets = try Publisher(output: paths.output, store: store).publish(
            jobs, records: try store.pageRecords(paths: jobs.map(\.path)), progress: progress)
        try store.forgetChangedTickets(upTo: mark)
        try saveBuildState(now: now, staffBase: rendering.staffBase, content: content, token: token)
        report.rendered += tickets.rendered
        report.written += tickets.written
        report.removed += tickets.removed
        report.pages = try store.pageCount()
        return report
    }

    /// When the last build ran, if what changed since is all a build must look at: the same
    /// output folder, theme, config and technicians, and a clock not set back.
    static func changesSuffice(
        _ state: BuildStateRecord, token: String, now: Date, rendering: (pages: TicketPages, staffBase: String)
    ) -> Date? {
        guard state.output == token, let builtAt = state.builtAt.flatMap(Timestamp.parse), builtAt <= now,
              state.tickets == rendering.staffBase
        else { return nil }
        return builtAt
    }

    /// Whether a build of the whole site now would compare every page (see `publishChanged`);
    /// asked before the build lock is taken, so a guess that the build itself checks again.
    func comparesEveryPage(full: Bool, now: Date) throws -> Bool {
        guard !full, let token = BuildState.token(in: paths) else { return true }
        return Self.changesSuffice(try store.buildState(), token: token, now: now, rendering: try ticketRendering(now: now)) == nil
    }

    /// The content files' stamp with the public pages' shared fingerprint.
    func contentStamp() -> String { StableHash.hex(baseFingerprint + SiteContent.stamp(paths)) }

    /// After a whole build: a new token for the output folder unless it has the recorded one.
    func saveBuildState(now: Date, staffBase: String, content: String, token: String? = nil) throws {
        var token = token
        if token == nil {
            let recorded = try store.buildState().output
            if let current = BuildState.token(in: paths), current == recorded {
                token = current
            } else {
                let fresh = Hex.random(words: 2)
                try AtomicFile.write(Array(fresh.utf8), to: paths.output + "/" + BuildState.tokenFile,
                                     temporaryFolder: paths.output + "/" + AtomicFile.temporaryFolderName)
                token = fresh
            }
        }
        try store.updateBuildState { state in
            state.builtAt = Timestamp.iso(now)
            state.tickets = staffBase
            state.content = content
            state.output = token ?? ""
        }
    }
}
