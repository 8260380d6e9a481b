/// The hours of a calendar's week: for each weekday, zero or more `HH:MM-HH:MM` slots in local
/// time (SPEC §3, e.g. `mon-fri 09:00-14:00 15:00-18:00; sat 09:00-13:00`). A day not named has
/// no hours; `24:00` ends a day.
public struct WeeklyHours: Hashable, Sendable, CustomStringConvertible {
    /// Minutes after local midnight, `start < end <= 1440`.
    public struct Slot: Hashable, Sendable {
        public let start: Int
        public let end: Int
    }

    /// Monday first; each day's slots in order, none overlapping.
    public let days: [[Slot]]

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Every minute of every day: the `24x7` calendar.
    public static let always = WeeklyHours(days: Array(repeating: [Slot(start: 0, end: 1440)], count: 7))

    init(days: [[Slot]]) {
        self.days = days
    }

    /// Whether every minute of the week counts.
    public var isAlways: Bool { self == .always }

    /// Business minutes in a week.
    public var minutesPerWeek: Int { days.joined().reduce(0) { $0 + $1.end - $1.start } }

    /// Parses `DAYS SLOT...; DAYS SLOT...`, where DAYS is a day (`mon`), a range (`mon-fri`) or a
    /// list of them (`mon,wed`). Refused, the error names the `hours` field and what is wrong.
    /// Checked by bytes: no Character of untrusted text is ever compared.
    public init(parsing text: String) throws(FieldError) {
        func refuse(_ why: String) -> FieldError {
            FieldError(field: "hours", message: why, code: "hours_invalid", values: [why])
        }
        guard text.utf8.count <= 1024 else { throw refuse("longer than 1024 bytes") }
        var days = [[Slot]?](repeating: nil, count: 7)
        let groups = text.utf8.split(separator: UInt8(ascii: ";")).map { Array($0) }
        for group in groups {
            let words = group.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 })
                .map { String(decoding: $0, as: UTF8.self) }
            guard let dayWords = words.first else { continue }
            var named: [Int] = []
            for part in dayWords.lowercased().utf8.split(separator: UInt8(ascii: ",")) {
                let ends = part.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
                    .map { String(decoding: $0, as: UTF8.self) }
                guard ends.count <= 2, let first = Self.dayNames.firstIndex(of: ends[0]),
                      let last = ends.count == 2 ? Self.dayNames.firstIndex(of: ends[1]) : first
                else { throw refuse("'\(String(decoding: part, as: UTF8.self))' is not a day (mon, tue, wed, thu, fri, sat, sun)") }
                guard first <= last else { throw refuse("'\(ends[0])-\(ends[1])' runs backwards (mon comes first)") }
                named += Array(first...last)
            }
            var slots: [Slot] = []
            for word in words.dropFirst() {
                guard let slot = Self.slot(word) else { throw refuse("'\(word)' is not a slot like 09:00-18:00") }
                slots.append(slot)
            }
            guard !slots.isEmpty else { throw refuse("'\(dayWords)' has no slot like 09:00-18:00") }
            slots.sort { $0.start < $1.start }
            for (earlier, later) in zip(slots, slots.dropFirst()) where later.start < earlier.end {
                throw refuse("\(Self.text(earlier)) and \(Self.text(later)) overlap")
            }
            for day in named {
                guard days[day] == nil else { throw refuse("\(Self.dayNames[day]) is given twice") }
                days[day] = slots
            }
        }
        let week = days.map { $0 ?? [] }
        guard week.contains(where: { !$0.isEmpty }) else { throw refuse("no hours at all") }
        self.days = week
    }

    /// `HH:MM-HH:MM`, the end after the start, `24:00` at most.
    static func slot(_ word: String) -> Slot? {
        let bytes = Array(word.utf8)
        guard bytes.count == 11, bytes[5] == UInt8(ascii: "-"),
              let start = minutes(bytes[0..<5]), let end = minutes(bytes[6..<11]), start < end, start < 1440
        else { return nil }
        return Slot(start: start, end: end)
    }

    static func minutes(_ bytes: ArraySlice<UInt8>) -> Int? {
        let b = Array(bytes)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), let h = LocalDate.number(b[0..<2]), let m = LocalDate.number(b[3..<5]),
              m < 60, h < 24 || (h == 24 && m == 0)
        else { return nil }
        return h * 60 + m
    }

    static func text(_ slot: Slot) -> String {
        func clock(_ minutes: Int) -> String { LocalDate.twoDigits(minutes / 60) + ":" + LocalDate.twoDigits(minutes % 60) }
        return clock(slot.start) + "-" + clock(slot.end)
    }

    /// The canonical text: runs of days with the same slots grouped (`mon-fri 09:00-18:00`).
    public var description: String {
        var groups: [String] = []
        var day = 0
        while day < 7 {
            var last = day
            while last + 1 < 7 && days[last + 1] == days[day] { last += 1 }
            if !days[day].isEmpty {
                let range = last == day ? Self.dayNames[day] : Self.dayNames[day] + "-" + Self.dayNames[last]
                groups.append(([range] + days[day].map(Self.text)).joined(separator: " "))
            }
            day = last + 1
        }
        return groups.joined(separator: "; ")
    }
}
