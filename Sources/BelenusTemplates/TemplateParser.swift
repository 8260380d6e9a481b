import BelenusCore

/// Mustache source to a tree of `TemplateNode`s (the official spec: interpolation, sections,
/// inverted sections, comments, partials, set delimiters, parents and blocks).
///
/// Works on UTF-8 bytes: every delimiter and sigil is ASCII, so no combining mark can hide one.
/// Standalone lines (a line holding only whitespace and tags that print nothing) vanish whole,
/// and the whitespace before a standalone partial or parent becomes its indentation. Lambdas
/// need code in the data and dynamic names (`{{>*name}}`) a name in it: both are refused.
struct TemplateParser {
    let file: String
    let source: [UInt8]

    init(file: String, text: String) {
        self.file = file
        self.source = Array(text.utf8)
    }

    func parse() throws(TemplateError) -> [TemplateNode] {
        try buildTree(markLines(try tokenize()))
    }

    // MARK: - Tokens

    enum TagKind: Equatable {
        case variable, raw, section, inverted, close, comment, partial, delimiters, parent, block

        /// Tags that print nothing where they stand, so a line of them alone is standalone.
        var canStandAlone: Bool { self != .variable && self != .raw }
    }

    struct Tag {
        let kind: TagKind
        let name: String
        let position: TemplatePosition
        /// The whitespace before it when it stands alone on its line.
        var indentation: [UInt8] = []
    }

    enum Token {
        case text([UInt8])
        /// "\n" or "\r\n": ends a line.
        case newline([UInt8])
        case tag(Tag)
        case lineStart
    }

    private static let space: UInt8 = 32, tab: UInt8 = 9, lf: UInt8 = 10, cr: UInt8 = 13

    func tokenize() throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var open: [UInt8] = Array("{{".utf8), close: [UInt8] = Array("}}".utf8)
        var i = 0
        var line = 1, lineStart = 0
        func position(_ offset: Int) -> TemplatePosition {
            // Columns count scalars: UTF-8 continuation bytes (10xxxxxx) are not counted.
            TemplatePosition(line: line, column: source[lineStart..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 })
        }
        func advanceLines(through end: Int, from start: Int) {
            var k = start
            while k < end {
                if source[k] == Self.lf { line += 1; lineStart = k + 1 }
                k += 1
            }
        }
        func emitText(_ from: Int, _ to: Int) {
            var start = from
            var k = from
            while k < to {
                if source[k] == Self.lf {
                    let textEnd = k > start && source[k - 1] == Self.cr ? k - 1 : k
                    if textEnd > start { tokens.append(.text(Array(source[start..<textEnd]))) }
                    tokens.append(.newline(Array(source[textEnd...k])))
                    start = k + 1
                }
                k += 1
            }
            if to > start { tokens.append(.text(Array(source[start..<to]))) }
            advanceLines(through: to, from: from)
        }
        while i < source.count {
            guard let tagStart = ByteText.firstIndex(of: open, in: source, from: i) else {
                emitText(i, source.count)
                break
            }
            emitText(i, tagStart)
            let at = position(tagStart)
            var k = tagStart + open.count
            let sigil: UInt8? = k < source.count ? source[k] : nil
            var kind = TagKind.variable
            var closing = close
            switch sigil {
            case UInt8(ascii: "{"): kind = .raw; closing = [UInt8(ascii: "}")] + close; k += 1
            case UInt8(ascii: "&"): kind = .raw; k += 1
            case UInt8(ascii: "#"): kind = .section; k += 1
            case UInt8(ascii: "^"): kind = .inverted; k += 1
            case UInt8(ascii: "/"): kind = .close; k += 1
            case UInt8(ascii: "!"): kind = .comment; k += 1
            case UInt8(ascii: ">"): kind = .partial; k += 1
            case UInt8(ascii: "="): kind = .delimiters; closing = [UInt8(ascii: "=")] + close; k += 1
            case UInt8(ascii: "<"): kind = .parent; k += 1
            case UInt8(ascii: "$"): kind = .block; k += 1
            default: break
            }
            guard let contentEnd = ByteText.firstIndex(of: closing, in: source, from: k) else {
                throw error(
                    at, "'\(String(decoding: open, as: UTF8.self))' is never closed with '\(String(decoding: closing, as: UTF8.self))'")
            }
            let content = Self.trimmed(source[k..<contentEnd])
            let end = contentEnd + closing.count
            advanceLines(through: end, from: tagStart)
            i = end
            switch kind {
            case .comment:
                tokens.append(.tag(Tag(kind: .comment, name: "", position: at)))
            case .delimiters:
                let parts = content.split(whereSeparator: { $0 == Self.space || $0 == Self.tab || $0 == Self.lf || $0 == Self.cr })
                guard parts.count == 2, !parts.contains(where: { $0.contains(UInt8(ascii: "=")) }) else {
                    throw error(at, "a delimiter change needs two delimiters without '=', as in {{=<% %>=}}")
                }
                open = Array(parts[0])
                close = Array(parts[1])
                tokens.append(.tag(Tag(kind: .delimiters, name: "", position: at)))
            default:
                guard !content.isEmpty else { throw error(at, "a tag without a name") }
                let name = String(decoding: content, as: UTF8.self)
                if [.partial, .parent].contains(kind), content.first == UInt8(ascii: "*") {
                    throw error(at, "dynamic names ('\(name)') are not supported: name the template")
                }
                guard !content.contains(where: { $0 == Self.space || $0 == Self.tab || $0 == Self.lf || $0 == Self.cr }) else {
                    throw error(at, "'\(name)' is not a name: no spaces inside a tag")
                }
                tokens.append(.tag(Tag(kind: kind, name: name, position: at)))
            }
        }
        return tokens
    }

    // MARK: - Standalone lines

    /// Drops standalone lines' whitespace and line end (keeping their tags), gives a standalone
    /// partial or parent its line's indentation, and marks where every other line starts.
    func markLines(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        out.reserveCapacity(tokens.count + tokens.count / 4)
        var lineBegin = 0
        while lineBegin < tokens.count {
            var lineEnd = lineBegin
            while lineEnd < tokens.count {
                if case .newline = tokens[lineEnd] { lineEnd += 1; break }
                lineEnd += 1
            }
            let line = tokens[lineBegin..<lineEnd]
            var tags = 0
            var standalone = true
            var blocksOpened: [String] = []
            for token in line {
                switch token {
                case .tag(let tag):
                    tags += 1
                    if !tag.kind.canStandAlone { standalone = false }
                    // A block opened and closed on one line is content in that line (its
                    // default, or what a child gives), as an interpolation is: the line stays.
                    if tag.kind == .block { blocksOpened.append(tag.name) }
                    if tag.kind == .close, blocksOpened.contains(tag.name) { standalone = false }
                case .text(let bytes): if !bytes.allSatisfy({ $0 == Self.space || $0 == Self.tab }) { standalone = false }
                case .newline, .lineStart: break
                }
            }
            if standalone && tags > 0 {
                var indentation: [UInt8] = []
                if case .text(let bytes)? = line.first { indentation = bytes }
                var first = true
                for case .tag(var tag) in line {
                    if first, tag.kind == .partial || tag.kind == .parent { tag.indentation = indentation }
                    first = false
                    out.append(.tag(tag))
                }
            } else {
                out.append(.lineStart)
                out.append(contentsOf: line)
            }
            lineBegin = lineEnd
        }
        return out
    }

    // MARK: - Tree

    private struct Open {
        let tag: Tag
        var children: [TemplateNode] = []
    }

    func buildTree(_ tokens: [Token]) throws(TemplateError) -> [TemplateNode] {
        var stack: [Open] = [Open(tag: Tag(kind: .section, name: "", position: TemplatePosition(line: 1, column: 1)))]
        func append(_ node: TemplateNode) { stack[stack.count - 1].children.append(node) }
        for token in tokens {
            switch token {
            case .text(let bytes), .newline(let bytes):
                if case .text(let previous)? = stack[stack.count - 1].children.last {
                    stack[stack.count - 1].children[stack[stack.count - 1].children.count - 1] = .text(previous + bytes)
                } else {
                    append(.text(bytes))
                }
            case .lineStart:
                append(.lineStart)
            case .tag(let tag):
                switch tag.kind {
                case .comment, .delimiters:
                    break
                case .variable, .raw:
                    append(.variable(try name(tag), escaped: tag.kind == .variable, at: tag.position))
                case .partial:
                    append(.partial(tag.name, indentation: tag.indentation, at: tag.position))
                case .section, .inverted, .parent, .block:
                    if tag.kind != .parent && tag.kind != .block { _ = try name(tag) }
                    stack.append(Open(tag: tag))
                case .close:
                    guard stack.count > 1 else { throw error(tag.position, "'{{/\(tag.name)}}' closes nothing") }
                    let opened = stack.removeLast()
                    guard opened.tag.name == tag.name else {
                        throw error(
                            tag.position, "'{{/\(tag.name)}}' closes '\(opened.tag.name)', opened at line \(opened.tag.position.line)")
                    }
                    let at = opened.tag.position
                    switch opened.tag.kind {
                    case .section, .inverted:
                        append(.section(try name(opened.tag), inverted: opened.tag.kind == .inverted, opened.children, at: at))
                    case .block:
                        append(.block(opened.tag.name, opened.children, at: at))
                    default:  // a parent: its blocks are its arguments; anything else inside is ignored
                        var overrides: [String: [TemplateNode]] = [:]
                        for case .block(let blockName, let children, _) in opened.children where overrides[blockName] == nil {
                            overrides[blockName] = children
                        }
                        append(.parent(opened.tag.name, indentation: opened.tag.indentation, overrides: overrides, at: at))
                    }
                }
            }
        }
        guard stack.count == 1 else {
            let unclosed = stack[stack.count - 1].tag
            throw error(unclosed.position, "'\(unclosed.name)' is opened here and never closed")
        }
        return stack[0].children
    }

    private func name(_ tag: Tag) throws(TemplateError) -> TemplateName {
        if tag.name == "." { return TemplateName(parts: []) }
        let parts = ByteText.split(tag.name, at: ".", keepingEmpty: true)
        guard !parts.contains(where: \.isEmpty) else { throw error(tag.position, "'\(tag.name)' is not a name") }
        return TemplateName(parts: parts)
    }

    private func error(_ at: TemplatePosition, _ message: String) -> TemplateError {
        TemplateError(file: file, line: at.line, column: at.column, message)
    }

    // MARK: - Bytes

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (b: UInt8) in b == space || b == tab || b == lf || b == cr }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }
}
