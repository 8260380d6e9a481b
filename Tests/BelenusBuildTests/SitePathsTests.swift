import BelenusTestSupport
import BelenusFiles
import BelenusBuild
import Foundation
import Testing

@Suite struct SitePathsTests {
    @Test func aCleanAbsolutePathIsKeptAndOthersAreResolved() {
        #expect(SitePaths(root: "/srv/soporte").root == "/srv/soporte")
        #expect(SitePaths(root: "/srv/soporte/").root == "/srv/soporte")
        #expect(SitePaths(root: "/srv/./otro/../soporte").root == "/srv/soporte")
        #expect(SitePaths(root: "/srv//soporte").root == "/srv/soporte")
        #expect(SitePaths(root: "sitio").root == FileManager.default.currentDirectoryPath + "/sitio")
        #expect(SitePaths(root: "/srv/soporte").database == "/srv/soporte/var/belenus.sqlite3")
    }

    /// The same folder as Foundation's `standardizedFileURL` (which SitePaths used before).
    @Test func aRootIsWhatFoundationMakesOfIt() {
        for root in ["/", "/..", "/srv/../..", "./a/./b/", "a/../../b", "/srv/so porte/", "/srv/soporte/..", "/srv/.hidden/..x", "/srv/ñandú/./x"] {
            #expect(SitePaths(root: root).root == URL(fileURLWithPath: root).standardizedFileURL.path, "\(root)")
        }
    }
}
