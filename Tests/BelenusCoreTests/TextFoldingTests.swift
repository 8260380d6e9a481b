import BelenusCore
import Testing

/// The one folding: what the list's filters, the administration's search and `ClientNames`
/// compare.
@Suite struct TextFoldingTests {
    @Test(arguments: [
        ("Nómina", "nomina"), ("NÓMINA", "nomina"), ("nomina", "nomina"),
        ("Ana Pérez & Cía.", "ana perez & cia."),
        ("Ñandú", "nandu"), ("Zoë Łukasz", "zoe łukasz"),
        ("Pe\u{301}rez", "perez"),            // a combining accent, dropped with its letter kept
        ("Ac\u{200D}me", "acme"),             // an invisible joiner
        ("a\u{20DD}b", "ab"),                 // an enclosing mark
        ("Ω 42 №", "ω 42 №"),                 // a Greek letter lower-cased; a sign kept
        ("×÷", "×÷"),                         // signs in the Latin-1 table stay as they are
        ("", ""),
    ])
    func foldsLettersAndDropsMarks(_ text: String, _ folded: String) {
        #expect(TextFolding.folded(text) == folded)
    }

    /// `append` says what each scalar was and appends only letters and digits.
    @Test func appendTellsLettersMarksAndTheRestApart() {
        var bytes: [UInt8] = []
        let kinds = "É\u{301} -".unicodeScalars.map { TextFolding.append($0, to: &bytes) }
        #expect(kinds == [.letter, .mark, .other, .other])
        #expect(bytes == Array("e".utf8))
    }
}
