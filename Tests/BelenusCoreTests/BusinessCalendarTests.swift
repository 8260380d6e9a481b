import BelenusCore
import Foundation
import Testing

// Business time (SPEC §3, issue 32): the arithmetic against a minute-by-minute brute force, and
// the bugs other help desks shipped, each by name.

private func zone(_ name: String) -> TimeZone { TimeZone(identifier: name)! }

/// The instant of a local wall-clock time in `zone` (by Foundation's calendar, not ours).
private func local(_ text: String, _ zone: TimeZone) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

private func oficina() throws -> BusinessCalendar {
    BusinessCalendar(
        name: "oficina", zone: IANAZone(zone("America/Mexico_City")), hours: try WeeklyHours(parsing: "mon-fri 09:00-18:00"),
        holidays: try Holidays(parsing: "mx-lft"))
}

// MARK: - The worked example and the bugs of other help desks

@Test func aFridayTicketWithAnEightHourPlazoIsDueOnTuesdayAfterTheThirdMondayOfMarch() throws {
    let mexico = zone("America/Mexico_City")
    let due = try oficina().adding(8 * 3600, to: local("2027-03-12 17:00", mexico))
    #expect(due == local("2027-03-16 16:00", mexico))
}

/// Zammad #3180: a 24/7 calendar lost time at midnight.
@Test func aRoundTheClockCalendarLosesNoTimeAtMidnight() throws {
    let mexico = zone("America/Mexico_City")
    // With a holiday far away the walk goes day by day (without one it is plain addition).
    for holidays in ["", "2031-07-07"] {
        let calendar = BusinessCalendar(
            name: "24x7", zone: IANAZone(mexico), hours: try WeeklyHours(parsing: "mon-sun 00:00-24:00"), holidays: try Holidays(parsing: holidays))
        let eleven = local("2027-05-03 23:00", mexico)
        #expect(calendar.adding(2 * 3600, to: eleven) == local("2027-05-04 01:00", mexico))
        #expect(calendar.businessTime(from: eleven, to: local("2027-05-06 01:00", mexico)) == 50 * 3600)
        #expect(calendar.subtracting(3600, from: local("2027-05-04 00:30", mexico)) == local("2027-05-03 23:30", mexico))
    }
}

/// Zammad #3706: a holiday shifted by a day in zones far from UTC. A holiday is the local day.
@Test(arguments: ["Pacific/Auckland", "Pacific/Kiritimati", "America/Tijuana", "Pacific/Pago_Pago"])
func aHolidayIsTheWholeLocalDayInAnyZone(name: String) throws {
    let here = zone(name)
    let calendar = BusinessCalendar(
        name: "x", zone: IANAZone(here), hours: try WeeklyHours(parsing: "mon-sun 00:00-24:00"), holidays: try Holidays(parsing: "12-25"))
    #expect(calendar.businessTime(from: local("2027-12-25 00:00", here), to: local("2027-12-26 00:00", here)) == 0)
    #expect(calendar.businessTime(from: local("2027-12-24 12:00", here), to: local("2027-12-26 12:00", here)) == 24 * 3600)
    // The 24th's last minute, then the 26th's first.
    #expect(calendar.adding(120, to: local("2027-12-24 23:59", here)) == local("2027-12-26 00:01", here))
}

/// osTicket #6739: calendars with only some weekdays.
@Test func aCalendarOfTwoWeekdaysSkipsTheOthers() throws {
    let mexico = zone("America/Mexico_City")
    let calendar = BusinessCalendar(name: "x", zone: IANAZone(mexico), hours: try WeeklyHours(parsing: "tue,thu 10:00-12:00"))
    // Monday 09:00 + 3 h: Tuesday 10–12, Thursday 10–11.
    #expect(calendar.adding(3 * 3600, to: local("2027-03-01 09:00", mexico)) == local("2027-03-04 11:00", mexico))
    #expect(calendar.businessTime(from: local("2027-03-01 00:00", mexico), to: local("2027-03-08 00:00", mexico)) == 4 * 3600)
}

/// osTicket #6847: a lunch break.
@Test func aLunchBreakIsNotBusinessTime() throws {
    let mexico = zone("America/Mexico_City")
    let calendar = BusinessCalendar(name: "x", zone: IANAZone(mexico), hours: try WeeklyHours(parsing: "mon-fri 09:00-14:00 15:00-18:00"))
    #expect(calendar.adding(2 * 3600, to: local("2027-03-02 13:00", mexico)) == local("2027-03-02 16:00", mexico))
    #expect(calendar.adding(3600, to: local("2027-03-02 13:00", mexico)) == local("2027-03-02 14:00", mexico))
    #expect(calendar.businessTime(from: local("2027-03-02 13:30", mexico), to: local("2027-03-02 15:30", mexico)) == 3600)
}

/// Tijuana changes its clocks: the missing hour has no business time, the repeated one counts twice.
@Test func theNightsTheClocksChangeCountWhatTheWallClockShows() throws {
    let tijuana = zone("America/Tijuana")
    let calendar = BusinessCalendar(name: "x", zone: IANAZone(tijuana), hours: try WeeklyHours(parsing: "sun 01:00-04:00"))
    let spring = local("2027-03-14 00:00", tijuana), fall = local("2027-11-07 00:00", tijuana)
    #expect(calendar.businessTime(from: spring, to: spring + 86400) == 2 * 3600)
    #expect(calendar.businessTime(from: fall, to: fall + 86400) == 4 * 3600)
    // 01:30 plus one hour on the spring night: 01:30–02:00, then 03:00–03:30.
    #expect(calendar.adding(3600, to: local("2027-03-14 01:30", tijuana)) == local("2027-03-14 03:30", tijuana))
}

@Test func dueSoonIsWhenTheRemainingBusinessTimeFallsToTheWindow() throws {
    let mexico = zone("America/Mexico_City")
    let calendar = try oficina()
    // Due Tuesday 10:00 with 9 h of warning: Tuesday 09–10 and Monday 10–18.
    #expect(calendar.subtracting(9 * 3600, from: local("2027-03-23 10:00", mexico)) == local("2027-03-22 10:00", mexico))
    // Exactly one working day before a due time at its end: from the end of the day before (the
    // night in between spends nothing, so 9 h already remain then).
    #expect(calendar.subtracting(9 * 3600, from: local("2027-03-23 18:00", mexico)) == local("2027-03-22 18:00", mexico))
    // Across the holiday Monday of March: Tuesday 09–10, then Friday 10–18.
    #expect(calendar.subtracting(9 * 3600, from: local("2027-03-16 10:00", mexico)) == local("2027-03-12 10:00", mexico))
}

@Test func mexicosStatutoryRestDaysFollowTheLaw() throws {
    let mx = try Holidays(parsing: "mx-lft")
    func rest(_ text: String) -> Bool {
        let date = LocalDate(iso: text)!
        return mx.contains(date, weekday: date.weekday)
    }
    for day in ["2027-01-01", "2027-02-01", "2027-03-15", "2027-05-01", "2027-09-16", "2027-11-15", "2027-12-25", "2030-10-01", "2024-10-01"] {
        #expect(rest(day), "\(day) is a rest day")
    }
    for day in ["2027-02-08", "2027-03-22", "2027-11-22", "2027-10-01", "2028-10-01", "2027-12-24", "2027-09-15"] {
        #expect(!rest(day), "\(day) is a working day")
    }
}

@Test func hoursAndHolidaysReadTheSpecsNotationAndSayWhatIsWrong() throws {
    let hours = try WeeklyHours(parsing: "mon-fri 09:00-14:00 15:00-18:00; sat 09:00-13:00")
    #expect(hours.description == "mon-fri 09:00-14:00 15:00-18:00; sat 09:00-13:00")
    #expect(try WeeklyHours(parsing: "mon,tue,wed 15:00-18:00 09:00-14:00;thu-fri  09:00-14:00 15:00-18:00").description
        == "mon-fri 09:00-14:00 15:00-18:00")
    #expect(try WeeklyHours(parsing: "mon-sun 00:00-24:00").isAlways)
    for (text, why) in [
        ("mon-fri 09:00-18:00; fri 10:00-11:00", "fri is given twice"), ("mon 09:00-12:00 11:00-13:00", "overlap"),
        ("fri-mon 09:00-18:00", "runs backwards"), ("lun 09:00-18:00", "is not a day"), ("mon 18:00-09:00", "is not a slot"),
        ("mon 09:00-24:01", "is not a slot"), ("", "no hours"), ("mon\u{0301} 09:00-18:00", "is not a day"),
    ] {
        #expect {
            try WeeklyHours(parsing: text)
        } throws: { error in
            (error as? FieldError)?.field == "hours" && (error as? FieldError)?.message.contains(why) == true
        }
    }
    let holidays = try Holidays(parsing: "2027-04-01, mx-lft 12-12")
    #expect(holidays.description == "mx-lft, 12-12, 2027-04-01")
    #expect(throws: FieldError.self) { try Holidays(parsing: "02-30") }
    #expect(throws: FieldError.self) { try Holidays(parsing: "2027-13-01") }
}

@Test func localDatesAndDayNumbersAgreeWithFoundation() {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = zone("UTC")
    for day in stride(from: -100_000, through: 150_000, by: 97) {  // 1696–2380: Foundation is Julian before 1582
        let parts = utc.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86400))
        let date = LocalDate(dayNumber: day)
        #expect(date.year == parts.year && date.month == parts.month && date.day == parts.day)
        #expect(date.dayNumber == day)
        #expect(date.weekday == (parts.weekday! + 5) % 7)
    }
}

// MARK: - Against the brute force

/// A reproducible generator (SplitMix64): the same cases every run.
private struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The definition, a minute at a time, by Foundation alone: a minute counts when the local
/// wall-clock time of its start is in a slot of that local day's weekday and that local day is not
/// a holiday. Mexico's rest days are found here by Foundation's own weekday ordinals.
private struct BruteForce {
    let zone: TimeZone
    let slots: [[(Int, Int)]]  // Sunday first, as Foundation numbers weekdays
    let holidays: Set<String>
    var days: [Int: (weekday: Int, date: String)] = [:]
    let utc: Calendar

    init(zone: TimeZone, hours: String, oneOff: [String], yearly: [String], mx: Bool) throws {
        self.zone = zone
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        self.utc = utc
        var byDay = [[(Int, Int)]](repeating: [], count: 7)
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        for group in hours.split(separator: ";") {
            let words = group.split(separator: " ")
            for day in words[0].split(separator: ",") {
                let index = names.firstIndex(of: String(day))!
                for slot in words.dropFirst() {
                    let ends = slot.split(separator: "-").map { $0.split(separator: ":").map { Int($0)! } }
                    byDay[index].append((ends[0][0] * 60 + ends[0][1], ends[1][0] * 60 + ends[1][1]))
                }
            }
        }
        slots = byDay
        var all = Set(oneOff)
        for year in 2025...2032 {
            for monthDay in yearly { all.insert("\(year)-\(monthDay)") }
            guard mx else { continue }
            func nthMonday(_ n: Int, _ month: Int) -> String {
                let date = utc.date(from: DateComponents(year: year, month: month, weekday: 2, weekdayOrdinal: n))!
                let p = utc.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", p.year!, p.month!, p.day!)
            }
            all.formUnion(["\(year)-01-01", "\(year)-05-01", "\(year)-09-16", "\(year)-12-25", nthMonday(1, 2), nthMonday(3, 3), nthMonday(3, 11)])
            if (year - 2024) % 6 == 0 { all.insert("\(year)-10-01") }
        }
        holidays = all
    }

    /// Whether the minute starting at `t` (seconds since 1970) is business time.
    mutating func counts(_ t: Int) -> Bool {
        let local = t + zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t)))
        let day = Int((Double(local) / 86400).rounded(.down))
        let minute = (local - day * 86400) / 60
        if days[day] == nil {
            let p = utc.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86400))
            days[day] = (p.weekday! - 1, String(format: "%04d-%02d-%02d", p.year!, p.month!, p.day!))
        }
        let (weekday, date) = days[day]!
        return !holidays.contains(date) && slots[weekday].contains { $0.0 <= minute && minute < $0.1 }
    }
}

@Test(arguments: ["America/Mexico_City", "America/Tijuana", "Europe/Madrid"])
func businessTimeMatchesAMinuteByMinuteCountOverRandomCalendars(zoneName: String) throws {
    var random = Seeded(state: zoneName.utf8.reduce(UInt64(17)) { $0 &* 31 &+ UInt64($1) })
    let here = zone(zoneName)
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    let first = Int(local("2026-01-01 00:00", here).timeIntervalSince1970), last = Int(local("2031-12-01 00:00", here).timeIntervalSince1970)
    for round in 0..<120 {
        // Weekly hours: each day zero to three slots on a half-hour grid (lunch breaks, days
        // without hours, slots over the hours the clocks change); at least one slot somewhere.
        var groups: [String] = []
        for day in names where Int.random(in: 0..<4, using: &random) > 0 || (day == "sun" && groups.isEmpty) {
            let count = Int.random(in: 1...3, using: &random)
            let points = Array(Set((0..<(count * 2)).map { _ in Int.random(in: 0...48, using: &random) * 30 })).sorted()
            guard points.count >= 2 else { groups.append("\(day) 09:00-18:00"); continue }
            func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
            let slots: [String] = stride(from: 0, to: points.count - 1, by: 2).map { (i: Int) -> String in
                clock(points[i]) + "-" + clock(points[i + 1])
            }
            groups.append("\(day) " + slots.joined(separator: " "))
        }
        let hours = groups.joined(separator: ";")
        let oneOff = (0..<Int.random(in: 0...6, using: &random)).map { _ in
            LocalDate(dayNumber: Int.random(in: (first / 86400)...(last / 86400), using: &random)).description
        }
        let yearly = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            String(format: "%02d-%02d", Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random))
        }
        let mx = Bool.random(using: &random)
        let calendar = BusinessCalendar(
            name: "random", zone: IANAZone(here), hours: try WeeklyHours(parsing: hours),
            holidays: try Holidays(parsing: (oneOff + yearly + (mx ? ["mx-lft"] : [])).joined(separator: ",")))
        var truth = try BruteForce(zone: here, hours: hours, oneOff: oneOff, yearly: yearly, mx: mx)

        // A span of up to three weeks, on a minute; every third one starts in the two days
        // before the clocks change (where the zone changes them).
        var start = (Int.random(in: first...last, using: &random) / 60) * 60
        if round % 3 == 0, let change = here.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(start))) {
            start = (Int(change.timeIntervalSince1970) - Int.random(in: 0...(2 * 1440), using: &random) * 60) / 60 * 60
        }
        let minutes = Int.random(in: 1...(21 * 1440), using: &random)
        let business = (0..<minutes).map { start + $0 * 60 }.filter { truth.counts($0) }
        let from = Date(timeIntervalSince1970: Double(start)), to = Date(timeIntervalSince1970: Double(start + minutes * 60))
        let context = "round \(round): \(hours) | \(calendar.holidays) | from \(from) for \(minutes) min"
        #expect(calendar.businessTime(from: from, to: to) == Double(business.count * 60), "\(context)")
        guard !business.isEmpty else { continue }
        // Adding k minutes ends with the k-th business minute.
        let k = Int.random(in: 1...business.count, using: &random)
        #expect(calendar.adding(Double(k * 60), to: from) == Date(timeIntervalSince1970: Double(business[k - 1] + 60)), "\(context), +\(k) min")
        // Subtracting k minutes from the end: once the minute before the last k has ended.
        let j = Int.random(in: 0..<business.count, using: &random)
        let soon = calendar.subtracting(Double(j * 60), from: to)
        #expect(soon == Date(timeIntervalSince1970: Double(business[business.count - j - 1] + 60)), "\(context), -\(j) min")
    }
}
