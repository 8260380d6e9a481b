import Foundation

/// What names a ticket's client: the company's name and words, its people's names, surnames
/// and logins, their e-mail domains (SPEC §5: a published article names none of them).
///
/// Text is compared as a reader sees it, word by word: folded (accents, case), split into runs
/// of letters and digits, so "ACME", "Ac**me**" (rendered), "Acme S. A.", "P&eacute;rez"
/// (decoded) and "acme.mx" are found, while "semana" does not contain the login "ana". By
/// Unicode scalars: no combining mark hides a letter from the comparison.
public struct ClientNames: Sendable {
    /// A name as it was given, and its folded words.
    struct Needle: Sendable {
        let shown: String
        let words: [String]
    }

    /// Sequences of words that name the client wherever they appear together.
    let phrases: [Needle]
    /// Single words that name the client on their own.
    let words: [String: String]

    /// Words of company names that name nobody on their own ("Grupo", "S.A. de C.V."), and
    /// the particles of people's names ("de la", "van").
    static let generic: Set<String> = [
        "s", "a", "sa", "c", "v", "cv", "de", "del", "la", "las", "el", "los", "y", "e", "rl", "srl", "sapi", "sab", "sc", "sas",
        "sociedad", "anonima", "variable", "capital", "grupo", "group", "servicios", "mexico", "the", "and", "of", "inc", "ltd",
        "llc", "corp", "co", "company", "van", "von", "da", "di", "du",
    ]
    /// Parts of an e-mail domain that are no one's: top-level and public second-level labels,
    /// and the mail services anyone uses.
    static let publicDomainWords: Set<String> = [
        "com", "mx", "net", "org", "gob", "edu", "info", "biz", "io", "us", "es", "www", "mail",
        "gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "icloud", "me", "prodigy", "infinitum", "proton", "protonmail",
    ]

    /// One of the client's people as their account names them.
    public struct Person: Hashable, Sendable {
        public var name: String
        public var login: String
        public var email: String
        public init(name: String, login: String, email: String) {
            self.name = name
            self.login = login
            self.email = email
        }
    }

    /// - Parameters:
    ///   - company: the ticket's company, as its name is stored.
    ///   - people: the company's people (and the ticket's requester).
    public init(company: String, people: [Person]) {
        var phrases: [Needle] = []
        var words: [String: String] = [:]
        func add(_ shown: String, asWords: Bool, minimum: Int = 3) {
            let folded = Self.words(of: shown).map(\.folded)
            guard !folded.isEmpty else { return }
            if folded.count > 1 || folded[0].unicodeScalars.count >= minimum { phrases.append(Needle(shown: shown, words: folded)) }
            guard asWords else { return }
            for word in folded where word.unicodeScalars.count >= minimum && !Self.generic.contains(word) && words[word] == nil {
                words[word] = shown
            }
        }
        add(company, asWords: true)
        for person in people {
            add(person.name, asWords: true)
            add(person.login, asWords: true)
            let domain = ByteText.split(person.email, at: "@", keepingEmpty: true).last ?? ""
            if ByteText.contains(person.email, "@") {
                add(domain, asWords: false)
                for label in Self.words(of: domain).map(\.folded)
                where !Self.publicDomainWords.contains(label) && label.unicodeScalars.count >= 3 {
                    if words[label] == nil { words[label] = domain }
                }
            }
        }
        self.phrases = phrases
        self.words = words
    }

    /// The first name of the client found in `text` as it is read (a title), or nil.
    public func mention(inText text: String) -> String? {
        let found = Self.words(of: text).map(\.folded)
        for word in found { if let shown = words[word] { return shown } }
        for phrase in phrases where Self.firstRun(of: phrase.words, in: found) != nil { return phrase.shown }
        return nil
    }

    /// The first name of the client in rendered HTML, as its reader sees it (tags out, entities
    /// decoded), or in a link's address or another attribute.
    public func mention(inHTML html: String) -> String? {
        let (visible, attributes) = Self.visibleText(html)
        return mention(inText: visible) ?? mention(inText: attributes)
    }

    /// `text` with every name of the client replaced by `neutral`: a run of names and the
    /// generic words between them ("Acme S.A.", "Ana Pérez") becomes one `neutral`.
    ///
    /// The text is cut by its UTF-8 bytes at the words' scalar boundaries: the gaps between words
    /// are tested for spaces, dots and commas byte by byte (any other scalar, a combining mark
    /// included, has bytes that are none of them).
    public func neutralized(_ text: String, with neutral: String) -> String {
        let found = Self.words(of: text)
        let folded = found.map(\.folded)
        var named = [Bool](repeating: false, count: found.count)
        for (i, word) in folded.enumerated() where words[word] != nil { named[i] = true }
        for phrase in phrases {
            var from = 0
            while let start = Self.firstRun(of: phrase.words, in: folded, from: from) {
                for j in start..<start + phrase.words.count { named[j] = true }
                from = start + 1
            }
        }
        guard named.contains(true) else { return text }
        let bytes = Array(text.utf8)
        func gap(_ left: Int, _ right: Int, _ allowed: (UInt8) -> Bool) -> Bool {
            bytes[found[left].range.upperBound..<found[right].range.lowerBound].allSatisfy(allowed)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0, i = 0
        while i < found.count {
            guard named[i] else { i += 1; continue }
            var end = i
            // Join the names that follow, across spaces and dots, and generic words between them.
            var j = i + 1
            while j < found.count {
                guard gap(j - 1, j, { $0 == 0x20 || $0 == 0x2E || $0 == 0x2C }) else { break }
                if named[j] { end = j } else if !Self.generic.contains(folded[j]) { break }
                j += 1
            }
            // A generic word right after the run ("S.A.") goes with it, and so does its dot.
            var stop = found[end].range.upperBound
            var k = end + 1
            while k < found.count, Self.generic.contains(folded[k]), gap(k - 1, k, { $0 == 0x20 || $0 == 0x2E }) {
                stop = found[k].range.upperBound
                k += 1
            }
            // An abbreviation's dot ("S.A.") goes too.
            let last = folded[k - 1]
            if stop < bytes.count, bytes[stop] == 0x2E, last.unicodeScalars.count <= 2 || Self.generic.contains(last) { stop += 1 }
            out.append(contentsOf: bytes[at..<found[i].range.lowerBound])
            out.append(contentsOf: neutral.utf8)
            at = stop
            i = max(k, end + 1)
        }
        out.append(contentsOf: bytes[at...])
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Words

    struct Word {
        let folded: String
        /// Where it is in the text's UTF-8 bytes (always at scalar boundaries).
        let range: Range<Int>
    }

    /// Runs of letters and digits (combining marks belong to the letter before them), folded
    /// (`TextFolding`): accents dropped, lower case. Read scalar by scalar; each word's folded
    /// bytes are gathered in one reused buffer (a word of up to 15 bytes is a String without an
    /// allocation).
    static func words(of text: String) -> [Word] {
        var result: [Word] = []
        var current: [UInt8] = []
        current.reserveCapacity(32)
        var start = 0, offset = 0
        func close(at end: Int) {
            guard !current.isEmpty else { return }
            result.append(Word(folded: String(decoding: current, as: UTF8.self), range: start..<end))
            current.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let here = offset
            offset += UTF8.width(scalar)
            let empty = current.isEmpty
            switch TextFolding.append(scalar, to: &current) {
            case .letter: if empty { start = here }
            case .mark: continue  // part of the letter before it, or invisible
            case .other: close(at: here)
            }
        }
        close(at: offset)
        return result
    }

    /// Where `needle` first appears as consecutive words of `words`, from the word `from` on.
    static func firstRun(of needle: [String], in words: [String], from: Int = 0) -> Int? {
        guard let first = needle.first, words.count >= needle.count, from <= words.count - needle.count else { return nil }
        for start in from...(words.count - needle.count) where words[start] == first {
            if needle.indices.dropFirst().allSatisfy({ words[start + $0] == needle[$0] }) { return start }
        }
        return nil
    }

    /// The text of rendered HTML as a browser shows it, and its attributes' values apart (a
    /// link's address). Tags go without a trace ("Ac<strong>me</strong>" reads "Acme"; cmark
    /// ends every block with a line break, so blocks stay apart); comments go; entities are
    /// decoded (cmark writes `&amp; &lt; &gt; &quot;`, numeric ones decoded as well).
    static func visibleText(_ html: String) -> (visible: String, attributes: String) {
        let bytes = Array(html.utf8)
        var visible: [UInt8] = [], attributes: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                let end = bytes[i...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count
                attributes += bytes[i..<end] + [32]
                i = end + 1
            } else {
                visible.append(bytes[i])
                i += 1
            }
        }
        return (decodeEntities(String(decoding: visible, as: UTF8.self)), decodeEntities(String(decoding: attributes, as: UTF8.self)))
    }

    static let namedEntities: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " "]

    static func decodeEntities(_ text: String) -> String {
        guard ByteText.contains(text, "&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == "&", let semicolon = scalars[(i + 1)...].prefix(12).firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(scalars[(i + 1)..<semicolon]))
                var decoded: Unicode.Scalar?
                // By bytes: "#" followed by a combining mark is no "#" to `hasPrefix`.
                if ByteText.hasPrefix(name, "#x") || ByteText.hasPrefix(name, "#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if ByteText.hasPrefix(name, "#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
                } else if let named = namedEntities[name] {
                    decoded = named.unicodeScalars.first
                }
                if let decoded {
                    out.append(decoded)
                    i = semicolon + 1
                    continue
                }
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }
}

