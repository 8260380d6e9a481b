import BelenusFiles
import BelenusSite
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
}
