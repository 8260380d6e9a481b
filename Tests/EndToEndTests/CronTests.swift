import BelenusTestSupport
import Foundation
import Testing

/// The package's scheduled work (`Tools/debian/belenus-cron`, which `/etc/cron.d/belenus` runs),
/// here on this checkout's `belenus`: every site listed in the sites file, one folder a line.
@Suite struct CronTests {
    func cron(_ task: String, sites: String) throws -> CLI.Result {
        let list = Scratch.path("sites")
        try Data(sites.utf8).write(to: URL(fileURLWithPath: list))
        defer { try? FileManager.default.removeItem(atPath: list) }
        return try CLI.launch("/bin/sh", [CLI.repoRoot + "/Tools/debian/belenus-cron", task], environment: [
            "PATH": CLI.binDir + ":/usr/sbin:/usr/bin:/sbin:/bin", "BELENUS_SITES_FILE": list, "BELENUS_HOME": CLI.repoRoot,
        ])
    }

    /// A folder whose name has spaces is one site (the list was split at every space before), and
    /// a `#` within a name is part of it: only a line that starts with one is a comment.
    @Test func everySiteListedIsBuiltWhateverItsFoldersName() throws {
        let spaced = Scratch.path("sitio de soporte #2")
        try #require(try CLI.run(["init", spaced]).status == 0)
        let plain = try CLI.newSite()
        defer { for site in [spaced, plain] { try? FileManager.default.removeItem(atPath: site) } }
        let result = try cron("minute", sites: "# los sitios\n\(spaced)\n\n   # otro\n   \(plain)  \n")
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        for site in [spaced, plain] {
            #expect(FileManager.default.fileExists(atPath: site + "/output/public/index.html"), "\(site)")
        }
    }

    @Test func aListOfCommentsIsNoSiteAndNoError() throws {
        let result = try cron("minute", sites: "# ninguno todavía\n\n")
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func aFolderThatIsNoSiteIsNamed() throws {
        let result = try cron("minute", sites: "/no/hay nada aquí\n")
        #expect(result.status == 1 && result.stderr.contains("names /no/hay nada aquí, which holds no belenus.toml"), "\(result.stderr)")
    }
}
