/// A calendar's days without business time (SPEC §3): one-off dates (`2027-04-01`), yearly
/// dates (`12-12`) and presets (`mx-lft`). A holiday is a whole local day.
public struct Holidays: Hashable, Sendable, CustomStringConvertible {
    /// A rule-made list of holidays.
    public enum Preset: String, CaseIterable, Hashable, Sendable {
        /// Mexico's statutory rest days, Ley Federal del Trabajo art. 74: 1 January, the first
        /// Monday of February, the third Monday of March, 1 May, 16 September, the third Monday
        /// of November, 25 December, and 1 October every six years from 2024 (the federal
        /// executive's change of power).
        case mxLFT = "mx-lft"

        func contains(_ date: LocalDate, weekday: Int) -> Bool {
            switch (date.month, date.day) {
            case (1, 1), (5, 1), (9, 16), (12, 25): return true
            case (10, 1): return date.year >= 2024 && (date.year - 2024) % 6 == 0
            case (2, 1...7): return weekday == 0
            case (3, 15...21), (11, 15...21): return weekday == 0
            default: return false
            }
        }
    }

    public struct MonthDay: Hashable, Comparable, Sendable {
        public let month: Int
        public let day: Int

        public static func < (a: MonthDay, b: MonthDay) -> Bool { (a.month, a.day) < (b.month, b.day) }
    }

    public let presets: Set<Preset>
    public let yearly: Set<MonthDay>
    public let dates: Set<LocalDate>

    public static let none = Holidays(presets: [], yearly: [], dates: [])

    public init(presets: Set<Preset>, yearly: Set<MonthDay>, dates: Set<LocalDate>) {
        self.presets = presets
        self.yearly = yearly
        self.dates = dates
    }

    /// Parses `mx-lft, 12-12, 2027-04-01` (comma- or space-separated; empty: none). Refused, the
    /// error names the `holidays` field and the word.
    public init(parsing text: String) throws(FieldError) {
        guard text.utf8.count <= 4096 else {
            throw FieldError(field: "holidays", message: "longer than 4096 bytes", code: "holidays_invalid", values: ["4096 bytes"])
        }
        var presets: Set<Preset> = [], yearly: Set<MonthDay> = [], dates: Set<LocalDate> = []
        for word in Array(text.utf8).split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            let text = String(decoding: word, as: UTF8.self)
            if let preset = Preset(rawValue: text.lowercased()) {
                presets.insert(preset)
            } else if let date = LocalDate(iso: text) {
                dates.insert(date)
            } else if word.count == 5, word[word.startIndex + 2] == UInt8(ascii: "-"),
                      let month = LocalDate.number(word.prefix(2)), let day = LocalDate.number(word.suffix(2)),
                      LocalDate(year: 2024, month: month, day: day) != nil {
                yearly.insert(MonthDay(month: month, day: day))
            } else {
                let why = "'\(text)' is not mx-lft, a date YYYY-MM-DD or a yearly date MM-DD"
                throw FieldError(field: "holidays", message: why, code: "holidays_invalid", values: [why])
            }
        }
        self.init(presets: presets, yearly: yearly, dates: dates)
    }

    public var isEmpty: Bool { presets.isEmpty && yearly.isEmpty && dates.isEmpty }

    /// Whether the local day `date` (whose weekday is `weekday`, Monday 0) has no business time.
    public func contains(_ date: LocalDate, weekday: Int) -> Bool {
        dates.contains(date) || yearly.contains(MonthDay(month: date.month, day: date.day))
            || presets.contains { $0.contains(date, weekday: weekday) }
    }

    /// The canonical text: presets, then yearly dates, then one-off dates, each in order.
    public var description: String {
        let yearly = yearly.sorted().map { LocalDate.twoDigits($0.month) + "-" + LocalDate.twoDigits($0.day) }
        let words = presets.map(\.rawValue).sorted() + yearly
            + dates.sorted().map(\.description)
        return words.joined(separator: ", ")
    }
}
