import Foundation

/// Text as people compare it: letters and digits without their accents, in lower case, so that
/// "Nómina", "NOMINA" and "nomina" are one. By Unicode scalars: a combining mark is dropped, never
/// glued to the letter before it and compared as part of it.
///
/// The one folding of Belenus: the ticket list's filters and the administration's search compare
/// folded text, and `ClientNames` reads a text's words through `append(_:to:)`.
public enum TextFolding {
    /// What a scalar is to the folding.
    public enum Kind {
        /// A letter or a digit: its folded bytes were appended.
        case letter
        /// A combining mark or an invisible format character ("Ac\u{200D}me"): nothing appended.
        case mark
        /// Anything else (a space, a sign): nothing appended.
        case other
    }

    /// Appends `scalar` folded to `bytes` when it is a letter or a digit; says what it was.
    @inline(__always)
    public static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) -> Kind {
        if scalar.isASCII {  // most of a text, without Foundation's decomposition
            let byte = UInt8(scalar.value)
            if (97...122).contains(byte) || (48...57).contains(byte) {
                bytes.append(byte)
                return .letter
            }
            if (65...90).contains(byte) {
                bytes.append(byte + 32)
                return .letter
            }
            return .other
        }
        if let folded = latinLetters.folded(scalar) ?? foldedLetter(scalar) {  // "é", "Ñ" from the table
            bytes.append(contentsOf: folded)
            return .letter
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format: return .mark
        default: return .other
        }
    }

    /// `text` with its letters and digits folded and its marks dropped; every other scalar stays
    /// as it is ("Ana Pérez & Cía." → "ana perez & cia.").
    public static func folded(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars where append(scalar, to: &bytes) == .other {
            bytes.append(contentsOf: String(scalar).utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A letter or digit folded (its canonical decomposition without marks, lower case), or nil
    /// for any other scalar.
    static func foldedLetter(_ scalar: Unicode.Scalar) -> [UInt8]? {
        let properties = scalar.properties
        guard properties.isAlphabetic || properties.numericType != nil else { return nil }
        var folded: [UInt8] = []
        for piece in String(scalar).decomposedStringWithCanonicalMappingScalars() where !piece.properties.isDiacriticLike {
            folded.append(contentsOf: String(piece).lowercased().utf8)
        }
        return folded
    }

    /// `foldedLetter` of U+00C0…U+024F (Latin-1's letters and Latin Extended A and B), worked
    /// out once: Foundation's decomposition of each accented letter was most of a ticket's
    /// neutralizing.
    static let latinLetters = FoldedRange(0xC0...0x24F)

    struct FoldedRange: Sendable {
        let range: ClosedRange<UInt32>
        let table: [[UInt8]?]
        init(_ range: ClosedRange<UInt32>) {
            self.range = range
            table = range.map { Unicode.Scalar($0).flatMap(TextFolding.foldedLetter) }
        }
        func folded(_ scalar: Unicode.Scalar) -> [UInt8]? {
            range.contains(scalar.value) ? table[Int(scalar.value - range.lowerBound)] : nil
        }
    }
}

extension String {
    /// Canonical decomposition (NFD) of a one-scalar string, by scalar.
    fileprivate func decomposedStringWithCanonicalMappingScalars() -> [Unicode.Scalar] {
        Array(decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}

extension Unicode.Scalar.Properties {
    /// A mark that NFD splits from a letter: "é" is "e" + U+0301.
    fileprivate var isDiacriticLike: Bool {
        generalCategory == .nonspacingMark || generalCategory == .enclosingMark || generalCategory == .spacingMark
    }
}
