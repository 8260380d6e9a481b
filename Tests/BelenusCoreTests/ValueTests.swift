import BelenusCore
import Foundation
import Testing

@Test(arguments: [
    ("Configurar Nómina 2024", "configurar-nomina-2024"),
    ("¿Cómo cierro el ejercicio?", "como-cierro-el-ejercicio"),
    ("00001-guía", "00001-guia"),
])
func slugsFoldAccentsAndPunctuation(_ text: String, _ slug: String) {
    #expect(Slug(making: text)?.rawValue == slug)
    #expect(Slug.isValid(slug))
}

@Test func aSlugOfOnlyPunctuationIsNil() {
    #expect(Slug(making: "¡¿?!") == nil)
    #expect(!Slug.isValid("../etc"))
}

@Test(arguments: [
    ("2021-03-04T15:02:11Z", 1_614_870_131.0),
    ("2021-03-04T17:02:11+02:00", 1_614_870_131.0),
    ("2021-03-04", 1_614_816_000.0),
    ("2021-03-04T15:02", 1_614_870_120.0),
    (" \t2021-03-04T15:02:11Z ", 1_614_870_131.0),
    ("2024-02-29T12:00:00Z", 1_709_208_000.0),
    ("1969-12-31T23:59:59Z", -1.0),
    ("2000-03-01", 951_868_800.0),
])
func timestampsParseTheFormsPeopleWrite(_ text: String, _ epoch: Double) {
    #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: epoch))
}

@Test(arguments: ["", "2021-13-01", "yesterday", "2021-03-04T15:02:11Zjunk", "2021-03-04T25:00",
                  "2026-02-30T10:00", "2027-02-29", "2026-04-31T08:00:00Z", "2026-12-15T10:00+99:99", "2026-12-15T10:00-24:00", "2026-12-15T10:00+05:60"])
func badTimestampsAreRefused(_ text: String) {
    #expect(Timestamp.parse(text) == nil)
}

@Test func timestampsRoundTrip() {
    #expect(Timestamp.iso(Date(timeIntervalSince1970: 1_614_870_131)) == "2021-03-04T15:02:11Z")
    // The parser's calendar arithmetic against the C library's gmtime (which `iso` uses): every
    // 7 h 13 min 17 s from 1901 to 2100 (all hours, days, months and leap years).
    var t = -2_145_916_800
    while t < 4_102_444_800 {
        let date = Date(timeIntervalSince1970: TimeInterval(t))
        guard Timestamp.parse(Timestamp.iso(date)) == date else {
            Issue.record("\(Timestamp.iso(date)) parses as \(String(describing: Timestamp.parse(Timestamp.iso(date))))")
            return
        }
        t += 25_997
    }
}

@Test func hexIsTwoLowerCaseDigitsAByteAndSixteenAWord() {
    #expect(Hex.string([0x00, 0xff, 0x0a, 0xb7]) == "00ff0ab7")
    #expect(Hex.string([UInt8]()) == "")
    #expect(Hex.string(UInt64(1)) == "0000000000000001")
    #expect(Hex.string(UInt64(0xcbf2_9ce4_8422_2325)) == "cbf29ce484222325")
}
