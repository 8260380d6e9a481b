@testable import BelenusStore
import Foundation
import Testing

/// `CorpusLine` reads the import's lines by hand: wherever it gives a line, Foundation's decoder
/// gives the same one; where it does not, the decoder reads (or refuses) the line as before.
@Suite struct CorpusLineTests {
    typealias Line = CorpusImporter.Line

    static let plain = #"""
        {"number": 7, "title": "Error al timbrar", "product": "Nómina", "version": "2025.1", "client": "Acme S.A.", "requester": {"name": "Ana Pérez", "email": "ana@acme.mx"}, "created_at": "2025-01-02T03:04:05Z", "due_at": "2025-01-03T03:04:05Z", "status": "open", "waiting_on": "support", "responsible": "jgarcia", "assigned": null, "provider_ref": "PRV-1", "body_md": "```log\nERROR código 209\n```\n\n- `a` \"b\" \\ c\tdé\u00e9 \ud83d\ude00 \/", "comments": [{"author": "ana", "at": "2025-01-02T05:00:00Z", "body_md": "Sigue \"igual\"."}, {"author": "jgarcia", "at": "2025-01-02T06:00:00Z", "body_md": ""}]}
        """#

    static func decoded(_ text: String) -> Line? { try? JSONDecoder().decode(Line.self, from: Data(text.utf8)) }

    /// Lines as the corpus writes them, and as JSON allows them to be written: read by hand,
    /// and the same as decoded.
    @Test(arguments: [
        plain,
        plain.replacingOccurrences(of: ", ", with: ",").replacingOccurrences(of: ": ", with: ":"),
        "  \t" + plain + " \r",
        plain.replacingOccurrences(of: #""assigned": null"#, with: #""assigned": "mlopez""#),
        plain.replacingOccurrences(of: #""provider_ref": "PRV-1", "#, with: ""),                     // optional and missing
        plain.replacingOccurrences(of: #""number": 7"#, with: #""number": 7, "extra": [1, {"a": [true, false, null]}, "x\u0041"]"#),
        plain.replacingOccurrences(of: #""comments": [{"#, with: #""comments": [ {"#),
        plain.replacingOccurrences(of: #""title""#, with: #""t\u0069tle""#),                         // an escaped key
        plain.replacingOccurrences(of: "\"comments\": [{\"author\"", with: "\"comments\": [], \"x\": [{\"author\"")
            .replacingOccurrences(of: "\"body_md\": \"\"}]}", with: "\"body_md\": \"\"}]}"),
    ])
    func readLinesAreTheDecodersLines(_ text: String) throws {
        let read = try #require(CorpusLine.read(Data(text.utf8)))
        #expect(read == Self.decoded(text))
    }

    /// What the hand reader leaves to the decoder: it may refuse the line or read it, but gives
    /// nothing the decoder would not.
    @Test(arguments: [
        plain.replacingOccurrences(of: #""number": 7"#, with: #""number": 7.0"#),
        plain.replacingOccurrences(of: #""number": 7"#, with: #""number": 07"#),
        plain.replacingOccurrences(of: #""number": 7"#, with: #""number": 99999999999999999999"#),
        plain.replacingOccurrences(of: #""title": "Error al timbrar", "#, with: ""),                  // missing
        plain.replacingOccurrences(of: #""title": "Error al timbrar""#, with: #""title": null"#),
        plain.replacingOccurrences(of: #""status": "open""#, with: #""status": "open", "status": "closed""#),  // twice
        plain.replacingOccurrences(of: #"\ud83d\ude00"#, with: #"\ud83d"#),                            // a lone surrogate
        plain.replacingOccurrences(of: #"\ud83d\ude00"#, with: #"\ude00"#),
        plain.replacingOccurrences(of: #"\t"#, with: "\t"),                                         // a raw control character
        plain.replacingOccurrences(of: #"\t"#, with: #"\x"#),
        plain + " x",
        String(plain.dropLast()),
        "[" + plain + "]",
    ])
    func linesLeftToTheDecoderAreNotMisread(_ text: String) {
        let read = CorpusLine.read(Data(text.utf8))
        #expect(read == nil || read == Self.decoded(text), "\(text)")
    }

    @Test func invalidUTF8IsLeftToTheDecoder() {
        var bytes = Array(Self.plain.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "E"))!] = 0xC3  // a lead byte without its continuation
        #expect(CorpusLine.read(bytes) == nil)
    }

    /// Thousands of damaged lines (bytes replaced, dropped or inserted, with JSON's own among
    /// them, at places spread over the line): never a line the decoder would not give.
    @Test func damagedLinesAreNeverMisread() {
        let base = Array(Self.plain.utf8)
        let alphabet = Array(#"{}[]:,"\ u0aAfF9e.-+nulltruefalse"#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0xC3, 0xA9, 0xED, 0xA0, 0xF0, 0x9F, 0x80]
        var readByHand = 0
        for i in 0..<4000 {
            var bytes = base
            // One damage, or two for every third line; places and bytes drawn by strides.
            for (n, stride) in [(0, 7919), (1, 104_729)] where n == 0 || i % 3 == 0 {
                let at = (i * stride + n) % bytes.count
                let byte = alphabet[(i + n * 13) % alphabet.count]
                switch (i / alphabet.count + n) % 3 {
                case 0: bytes[at] = byte
                case 1: bytes.remove(at: at)
                default: bytes.insert(byte, at: at)
                }
            }
            let read = CorpusLine.read(bytes)
            let decoded = try? JSONDecoder().decode(Line.self, from: Data(bytes))
            if read != nil { readByHand += 1 }
            #expect(read == nil || read == decoded, "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(readByHand > 100)  // damage inside a text still reads: the comparison is not empty
    }
}
