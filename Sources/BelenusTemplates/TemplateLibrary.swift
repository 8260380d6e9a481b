import Synchronization

/// A theme's templates by name (`layout`, `partials/sla`…), each parsed once; partials and
/// parents are found here by name.
public struct TemplateLibrary: Sendable {
    /// One template's text and the file it came from (for errors).
    public struct Source: Sendable {
        public let file: String
        public let text: String

        public init(file: String, text: String) {
            self.file = file
            self.text = text
        }
    }

    let sources: [String: Source]
    /// Each template's tree, or why it does not parse, once it has been asked for.
    private let parsed = Parsed()
    /// The file of each template, for errors.
    let files: [String: String]

    private final class Parsed: Sendable {
        let trees = Mutex<[String: Result<[TemplateNode], TemplateError>]>([:])
    }

    /// Parses every template: the first broken one is the error, naming its file, line and column.
    public init(_ sources: [String: Source]) throws(TemplateError) {
        self.init(keepingErrors: sources)
        for name in names { _ = try nodes(name) }
    }

    /// Parses each template when it is first used, and keeps its error: a broken template is an
    /// error only where it is used (the gateway serves the login page while a webmaster mends
    /// another), and a request parses only the one or two it renders (all of them were a tenth
    /// of a comment's CPU).
    public init(keepingErrors sources: [String: Source]) {
        self.sources = sources
        files = sources.mapValues(\.file)
    }

    /// Template `name`'s tree: nil when there is none, its error when it does not parse.
    func nodes(_ name: String) throws(TemplateError) -> [TemplateNode]? {
        guard let source = sources[name] else { return nil }
        let result = parsed.trees.withLock { trees in
            if let known = trees[name] { return known }
            let result = Result { () throws(TemplateError) in try TemplateParser(file: source.file, text: source.text).parse() }
            trees[name] = result
            return result
        }
        return try result.get()
    }

    public var names: [String] { sources.keys.sorted() }

    /// The template `name` rendered with `value` as its context, as UTF-8 bytes. A partial or
    /// parent that is not in the library renders as nothing (the Mustache spec).
    public func render(_ name: String, _ value: TemplateValue) -> [UInt8] {
        renderAll(name, value).output
    }

    /// As `render`, or nil when the template is more work than `DynamicRenderer.budget` (a
    /// partial that includes itself twice) and only its start was rendered.
    public func renderWhole(_ name: String, _ value: TemplateValue) -> [UInt8]? {
        let result = renderAll(name, value)
        return result.complete ? result.output : nil
    }

    private func renderAll(_ name: String, _ value: TemplateValue) -> (output: [UInt8], complete: Bool) {
        var renderer = DynamicRenderer(library: self)
        renderer.output.reserveCapacity(16 * 1024)
        var context = [value]
        if let nodes = (try? self.nodes(name)) ?? nil { renderer.render(nodes, context: &context, indentation: []) }
        return (renderer.output, renderer.budget > 0 && renderer.depth == 0 && !renderer.cutShort)
    }
}

/// A value of the untyped model: what JSON holds (the Mustache spec's tests are JSON).
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// What a section tests: false, null, an empty list and an empty string are false.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .list(let items): !items.isEmpty
        case .string(let s): !s.isEmpty
        default: true
        }
    }

    var text: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): s
        case .list, .object: ""
        }
    }
}

/// Renders a template against `TemplateValue`s, looking names up through the context stack as
/// the spec says: the first frame that has the name's first part, then the rest inside it.
struct DynamicRenderer {
    let library: TemplateLibrary
    var output: [UInt8] = []
    /// The blocks given by the parents being rendered, outermost first: the outermost wins.
    var overrides: [[String: (nodes: [TemplateNode], indentation: [UInt8])]] = []
    /// Partials and parents being rendered inside each other. A template that includes itself
    /// with nothing in the data to stop it would recurse until the stack ran out: past
    /// `maxDepth` an inclusion renders as nothing.
    var depth = 0
    static let maxDepth = 20
    /// Work left: a node visited, or a context frame a name is looked up in. A partial that
    /// includes itself twice, or thirty nested sections over a list of two, is exponential work
    /// (the template fuzz target found the first): past the budget the rest renders as nothing.
    /// A lookup costs one per frame, and one more per 32 bytes of the name, which every frame
    /// hashes (as Unicode, when it is not ASCII): forty frames deep, a long name that is nowhere
    /// cost as much as thousands of nodes, and such templates were nine tenths of the fuzz
    /// target's time.
    var budget = 100_000
    /// And it stops past this many bytes of output (an indented partial recursing in a list
    /// writes its growing indentation on every line: the fuzz target's second timeout).
    static let maxOutput = 1 << 20
    /// Whether an inclusion was left out for being too deep.
    var cutShort = false

    /// `context` is the stack of values, pushed and popped in place (a copy per section made a
    /// partial recursing inside a list quadratic: the template fuzz target's timeout).
    mutating func render(_ nodes: [TemplateNode], context: inout [TemplateValue], indentation: [UInt8]) {
        for node in nodes {
            budget -= 1
            guard budget > 0, output.count < Self.maxOutput else { budget = 0; return }
            switch node {
            case .text(let bytes):
                output.append(contentsOf: bytes)
            case .lineStart:
                output.append(contentsOf: indentation)
            case .variable(let name, let escaped, _):
                let text = lookUp(name, in: context).text
                if escaped { HTMLBytes.appendEscaped(text, to: &output) } else { output.append(contentsOf: text.utf8) }
            case .section(let name, let inverted, let children, _):
                let value = lookUp(name, in: context)
                if inverted {
                    if !value.isTruthy { render(children, context: &context, indentation: indentation) }
                } else if case .list(let items) = value {
                    for item in items {
                        context.append(item)
                        render(children, context: &context, indentation: indentation)
                        context.removeLast()
                    }
                } else if value.isTruthy {
                    context.append(value)
                    render(children, context: &context, indentation: indentation)
                    context.removeLast()
                }
            case .partial(let name, let extra, _):
                guard let partial = (try? library.nodes(name)) ?? nil else { continue }
                guard depth < Self.maxDepth else { cutShort = true; continue }
                depth += 1
                render(partial, context: &context, indentation: indentation + extra)
                depth -= 1
            case .parent(let name, let extra, let blocks, _):
                guard let parent = (try? library.nodes(name)) ?? nil else { continue }
                guard depth < Self.maxDepth else { cutShort = true; continue }
                depth += 1
                overrides.append(blocks.mapValues { ($0, indentation) })
                render(parent, context: &context, indentation: indentation + extra)
                overrides.removeLast()
                depth -= 1
            case .block(let name, let children, _):
                if let given = overrides.lazy.compactMap({ $0[name] }).first {
                    render(given.nodes, context: &context, indentation: given.indentation)
                } else {
                    render(children, context: &context, indentation: indentation)
                }
            }
        }
    }

    mutating func lookUp(_ name: TemplateName, in context: [TemplateValue]) -> TemplateValue {
        guard let first = name.parts.first else { return context.last ?? .null }
        let cost = 1 + first.utf8.count / 32
        for frame in context.reversed() {
            budget -= cost
            guard case .object(let fields) = frame, var value = fields[first] else { continue }
            for part in name.parts.dropFirst() {
                guard case .object(let inner) = value, let next = inner[part] else { return .null }
                value = next
            }
            return value
        }
        return .null
    }
}
