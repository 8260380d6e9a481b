import BelenusCore
import BelenusStore
import BelenusFiles
import Dispatch
import Foundation

/// The one loop that turns pages into files, for a build and for a request's regeneration
/// alike: it renders a page only when its fingerprint changed (every page with `full`), writes it
/// only when its bytes changed, deletes the files of pages that are gone, and saves what it did.
struct Publisher {
    let output: String
    let store: Store
    /// Up to this many pages are rendered on the calling thread.
    static let inlineJobs = 4

    /// - Parameters:
    ///   - records: what was saved for (at least) the paths of `jobs` and `gone`.
    ///   - gone: paths of pages that no longer exist: their files and records are deleted.
    ///   - progress: called now and then with (done, to do).
    func publish(
        _ jobs: [PageJob], records: [String: PageRecord], full: Bool = false, gone: [String] = [],
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> BuildReport {
        let todo = jobs.filter { job in
            full || records[job.path]?.fingerprint != job.fingerprint || !FileManager.default.fileExists(atPath: output + "/" + job.path)
        }
        let results = ResultCollector(total: todo.count, progress: progress)
        try renderPipelined(todo, records: records, into: results)
        if let error = results.firstError { throw error }
        for path in gone {
            unlink(output + "/" + path)
            if path.hasPrefix("public/t/") { rmdir(output + "/" + (path as NSString).deletingLastPathComponent) }
        }
        try store.savePageRecords(results.records, read: records, removing: gone)
        return BuildReport(pages: jobs.count, rendered: todo.count, written: results.written, removed: gone.count)
    }

    /// Renders and writes `jobs` on every core while this thread reads the next tickets from the
    /// database: one work queue, no barrier between batches. At most `readAhead` batches of 256
    /// tickets are read and not yet written, which bounds the memory of a large build.
    private func renderPipelined(_ jobs: [PageJob], records: [String: PageRecord], into results: ResultCollector) throws {
        let output = output
        /// One page rendered and written, its record or its error collected.
        @Sendable func publish(_ job: PageJob, _ details: TicketDetails?) {
            do {
                let (record, wrote) = try Self.write(job.render(details), path: job.path, fingerprint: job.fingerprint,
                                                     output: output, recorded: records[job.path])
                results.add(record, wrote: wrote)
            } catch {
                results.fail(error)
            }
        }
        if jobs.count <= Self.inlineJobs {
            // A request's few pages: on this thread, without starting libdispatch's threads
            // for them (three, for a comment's one page).
            let details = try ticketDetails(jobs)
            for job in jobs { publish(job, job.ticket.flatMap { details[$0] }) }
            return
        }
        let queue = DispatchQueue(label: "belenus.render", qos: .userInitiated, attributes: .concurrent)
        let pending = DispatchGroup()
        let readAhead = DispatchSemaphore(value: 4)
        func dispatch(_ work: [(PageJob, TicketDetails?)]) {
            let batch = DispatchGroup()
            for (job, details) in work {
                queue.async(group: batch) { publish(job, details) }
            }
            pending.enter()
            batch.notify(queue: queue) {
                readAhead.signal()
                pending.leave()
            }
        }
        defer { pending.wait() }
        let (ticketJobs, otherJobs) = (jobs.filter { $0.ticket != nil }, jobs.filter { $0.ticket == nil })
        readAhead.wait()
        dispatch(otherJobs.map { ($0, nil) })
        for start in stride(from: 0, to: ticketJobs.count, by: 256) {
            let batch = Array(ticketJobs[start..<min(start + 256, ticketJobs.count)])
            readAhead.wait()
            let details = try ticketDetails(batch)
            dispatch(batch.map { ($0, $0.ticket.flatMap { details[$0] }) })
        }
    }

    /// What the ticket pages among `jobs` show, by ticket.
    private func ticketDetails(_ jobs: [PageJob]) throws -> [TicketNumber: TicketDetails] {
        Dictionary(uniqueKeysWithValues: try store.ticketDetails(jobs.compactMap(\.ticket)).map { ($0.ticket.number, $0) })
    }

    /// Writes a rendered page to `output/path` unless the file there holds these bytes already
    /// (by the hash `recorded` for it); returns the record to save and whether it wrote.
    static func write(
        _ bytes: [UInt8], path: String, fingerprint: String, output: String, recorded: PageRecord?
    ) throws -> (record: PageRecord, wrote: Bool) {
        let hash = StableHash.hex(bytes)
        let target = output + "/" + path
        let wrote = recorded?.contentHash != hash || !FileManager.default.fileExists(atPath: target)
        if wrote {
            try AtomicFile.write(bytes, to: target, temporaryFolder: output + "/" + AtomicFile.temporaryFolderName, new: recorded == nil)
            CrashPoint.reach("site.page-written")
        }
        return (PageRecord(path: path, fingerprint: fingerprint, contentHash: hash), wrote)
    }
}

/// Gathers the workers' results under a lock.
final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var records: [PageRecord] = []
    private(set) var written = 0
    private(set) var firstError: Error?
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void

    init(total: Int, progress: @escaping @Sendable (Int, Int) -> Void) {
        self.total = total
        self.progress = progress
    }

    func add(_ record: PageRecord, wrote: Bool) {
        lock.lock()
        records.append(record)
        if wrote { written += 1 }
        let done = records.count
        lock.unlock()
        if done % 500 == 0 || done == total { progress(done, total) }
    }

    func fail(_ error: Error) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }
}
