import BelenusBytes
import Foundation
import Testing

/// The whole gateway reads its CGI variables with `ProcessEnvironment`, not `ProcessInfo`: the
/// same names and values (a value holding "=" is split at the first one). No `setenv` here: other
/// tests of this process read the environment at the same time.
@Test func theProcessEnvironmentIsWhatProcessInfoReads() {
    let ours = ProcessEnvironment.current()
    #expect(ours["PATH"] != nil)
    #expect(ours == ProcessInfo.processInfo.environment)
}
