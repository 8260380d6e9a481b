import BelenusCore
import BelenusTestSupport
import BelenusFiles
import BelenusBuild
import BelenusStore
@testable import BelenusViews
import Foundation
import Testing

/// SPEC §1: people read and type dates in the site's `timezone`; `<time datetime>` and JSON keep
/// the UTC instant.
@Suite struct LocalTimeTests {
    static func at(_ iso: String) -> Date { Timestamp.parse(iso)! }

    @Test(arguments: [
        ("2026-12-15T10:00", "2026-12-15T16:00:00Z"),        // a datetime-local input: Mexico City's clock
        ("2026-12-15T10:00:30", "2026-12-15T16:00:30Z"),
        ("2026-12-15", "2026-12-15T06:00:00Z"),              // local midnight
        ("2026-12-15T10:00Z", "2026-12-15T10:00:00Z"),       // an instant stays what it says
        ("2026-12-15T10:00:00-05:00", "2026-12-15T15:00:00Z"),
        ("2026-12-15T10:00:00+01:00", "2026-12-15T09:00:00Z"),
    ])
    func aLocalTimeIsReadInTheSitesZone(_ typed: String, _ instant: String) {
        let clock = LocalClock(timezone: "America/Mexico_City")
        #expect(clock.parse(typed) == Self.at(instant))
    }

    @Test func summerTimeIsTheZonesOwn() {
        let newYork = LocalClock(timezone: "America/New_York")
        #expect(newYork.parse("2026-07-01T09:00") == Self.at("2026-07-01T13:00:00Z"))  // EDT, UTC−4
        #expect(newYork.parse("2026-12-01T09:00") == Self.at("2026-12-01T14:00:00Z"))  // EST, UTC−5
        #expect(newYork.inputValue(Self.at("2026-07-01T13:00:00Z")) == "2026-07-01T09:00")
        // Mexico City has kept UTC−6 all year since 2022; in 2021 it still had summer time.
        let mexico = LocalClock(timezone: "America/Mexico_City")
        #expect(mexico.offset(at: Self.at("2026-07-01T12:00:00Z")) == -6 * 3600)
        #expect(mexico.offset(at: Self.at("2021-07-01T12:00:00Z")) == -5 * 3600)
        #expect(!mexico.isUTC && LocalClock(timezone: "UTC").isUTC)
    }

    /// The dashboard's weeks start at local Monday midnight: Tuesday 21:00 in Mexico City is
    /// already Wednesday in UTC, and still the week of Monday the 14th there.
    @Test func aWeekStartsAtLocalMondayMidnight() {
        let mexico = LocalClock(timezone: "America/Mexico_City")
        #expect(mexico.monday(of: Self.at("2026-12-16T03:00:00Z")) == Self.at("2026-12-14T06:00:00Z"))
        #expect(mexico.monday(of: Self.at("2026-12-14T05:59:59Z")) == Self.at("2026-12-07T06:00:00Z"))  // Sunday 23:59 local
        #expect(LocalClock(timezone: "UTC").monday(of: Self.at("2026-12-16T03:00:00Z")) == Self.at("2026-12-14T00:00:00Z"))
        let tokyo = LocalClock(timezone: "Asia/Tokyo")
        #expect(tokyo.monday(of: Self.at("2026-12-13T15:30:00Z")) == Self.at("2026-12-13T15:00:00Z"))  // Monday 00:30 local
    }

    @Test func aDeadlineOfTheFormIsTheLocalClockAndBack() {
        let clock = LocalClock(timezone: "America/Mexico_City")
        let due = Self.at("2026-12-15T16:00:00Z")
        #expect(clock.inputValue(due) == "2026-12-15T10:00")
        #expect(clock.parse(clock.inputValue(due)) == due)
        #expect(clock.parse("mañana") == nil && clock.parse("2026-13-01T10:00") == nil)
    }

    /// Pages of a site in Mexico City: local times, no "UTC"; the instant in `datetime`.
    @Test func aSiteInMexicoShowsLocalTimesWithoutUTC() throws {
        let site = try SiteFixture()
        try ConfigFile.update(site.paths.config, ["timezone": .string("America/Mexico_City")])
        let opened = Self.at("2026-12-14T17:30:00Z")
        _ = try site.openTicket(at: opened)
        _ = try site.build(now: opened)
        let page = try site.output("private/tickets/1/index.html")
        #expect(page.contains("<time datetime=\"2026-12-14T17:30:00Z\">14 dic 2026, 11:30</time>"), "\(page)")
        #expect(!page.contains(" UTC"))
        #expect(page.contains("type=\"datetime-local\" value=\"2026-12-17T11:30\""))  // due in 72 h, local
        let dashboard = try site.output("private/dashboard/index.html")
        #expect(!dashboard.contains(" UTC"))
        #expect(dashboard.contains("14 dic"))  // the week starts on Monday the 14th, local
    }

    @Test func aSiteInUTCSaysSo() throws {
        let site = try SiteFixture()
        let opened = Self.at("2026-12-14T17:30:00Z")
        _ = try site.openTicket(at: opened)
        _ = try site.build(now: opened)
        #expect(try site.output("private/tickets/1/index.html").contains(">14 dic 2026, 17:30 UTC</time>"))
    }

    @Test func initTakesATimeZoneAndRefusesAnUnknownOne() throws {
        let dir = Scratch.path("belenus-tz")
        let paths = try SiteInit.create(at: dir, from: Repository.root, timezone: "America/Mexico_City")
        #expect(try SiteConfig.load(path: paths.config).timezone == "America/Mexico_City")
        let other = Scratch.path("belenus-tz-bad")
        #expect { try SiteInit.create(at: other, from: Repository.root, timezone: "Marte/Olympus") } throws: { "\($0)".contains("--timezone: \"Marte/Olympus\"") }
        #expect(!FileManager.default.fileExists(atPath: other))
    }
}
