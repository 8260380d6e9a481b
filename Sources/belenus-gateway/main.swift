import BelenusBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The CGI program (RFC 3875, SPEC §8). Its front door answers the commonest request, a signed-in
// person's view of a ticket's page (`GET /tickets/N`), from the page the generator wrote, without
// Foundation, GRDB or the views: a 9 MB binary that starts in about a millisecond, where the
// whole gateway's 100 MB take three (docs/performance.md). Every other request, and any page
// view it is not sure of, goes to the whole gateway by exec: same process, environment and stdin.
let started = UTCTime.now()
if let view = FrontDoor(CGIEnvironment.current()), let answer = view.answer(now: started) {
    // As the whole gateway: no signal ends the process between the answer and its log line.
    signal(SIGPIPE, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    _ = FileDescriptor.writeAll(1, answer.bytes)
    RequestLog(site: view.site).append(RequestLog.line(
        at: started, method: "GET", route: view.route, user: answer.login, status: 200,
        milliseconds: (UTCTime.now() - started) * 1000))
} else {
    WholeGateway.run()
}
