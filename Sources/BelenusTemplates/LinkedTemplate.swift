/// A template bound to its model type when the theme loads: every name resolved to a field
/// (the frame of the context stack it lives in and how to read it), partials and parents
/// expanded, blocks filled, indentation written into the static bytes. Rendering walks this
/// flat program over typed values into one byte buffer: no lookup by name, no `Any`, no cast.
public struct LinkedTemplate<Model: TemplateModel>: @unchecked Sendable {
    let program: Program
    public let name: String
    /// The type of the values every page shares (the site, the session's token), beneath the
    /// model on the context stack; nil when there are none.
    let globals: ObjectIdentifier?

    /// Links `name` from `library` against `Model`'s fields. A name that no model on the stack
    /// has, a raw tag on a value that is not HTML, a missing partial or a partial that includes
    /// itself is an error naming the file, line and column.
    public init(_ name: String, in library: TemplateLibrary) throws(TemplateError) {
        try self.init(name, in: library, stack: [Model.templateFields.schema], globals: nil)
    }

    /// Links `name` with a `Globals` value beneath the model: names the model does not have are
    /// looked up there (`site.title` on every page). `output: .text` is for plain text (mail):
    /// nothing is escaped there, and `{{{…}}}` means the same as `{{…}}`.
    ///
    /// `slot` names a text field of `Globals` whose places in the output are recorded
    /// (`render(_:globals:slots:)`): a page written once and served to many people gets each
    /// one's value there (the session's CSRF token) without anyone searching the page for it.
    public init<Globals: TemplateModel>(
        _ name: String, in library: TemplateLibrary, globals: Globals.Type, output: TemplateOutput = .html, slot: String? = nil
    ) throws(TemplateError) {
        try self.init(name, in: library, stack: [Globals.templateFields.schema, Model.templateFields.schema],
                      globals: ObjectIdentifier(Globals.self), output: output, slot: slot)
    }

    private init(
        _ name: String, in library: TemplateLibrary, stack: [Schema], globals: ObjectIdentifier?, output: TemplateOutput = .html,
        slot: String? = nil
    ) throws(TemplateError) {
        guard let nodes = try library.nodes(name) else {
            throw TemplateError(file: name, line: 1, column: 1, "no template '\(name)'")
        }
        var linker = Linker(library: library, output: output)
        linker.slot = slot
        linker.including = [name]
        self.program = Program(try linker.link(nodes, file: library.files[name] ?? name, stack: stack.map { .model($0) }, indentation: []))
        self.name = name
        self.globals = globals
    }

    /// The page for `model`, as UTF-8 bytes.
    public func render(_ model: Model, capacity: Int = 8 * 1024) -> [UInt8] {
        precondition(globals == nil, "\(name) was linked with globals: pass them")
        var output: [UInt8] = []
        output.reserveCapacity(capacity)
        withUnsafePointer(to: model) {
            var stack = [UnsafeRawPointer($0)]
            stack.reserveCapacity(8)
            var slots: [Int] = []
            program.run(stack: &stack, into: &output, slots: &slots)
        }
        return output
    }

    /// The page for `model` over `globals`, which must be of the type it was linked with.
    public func render<Globals: TemplateModel>(_ model: Model, globals: Globals, capacity: Int = 8 * 1024) -> [UInt8] {
        renderMarkingSlots(model, globals: globals, capacity: capacity).output
    }

    /// The page for `model` over `globals`, and the byte offsets in it at which the slot field
    /// (see `init`) was written, in order: each is where the field's value ends.
    public func renderMarkingSlots<Globals: TemplateModel>(
        _ model: Model, globals: Globals, capacity: Int = 8 * 1024
    ) -> (output: [UInt8], slots: [Int]) {
        precondition(self.globals == ObjectIdentifier(Globals.self), "\(name) was linked with other globals than \(Globals.self)")
        var output: [UInt8] = []
        output.reserveCapacity(capacity)
        var slots: [Int] = []
        withUnsafePointer(to: globals) { outer in
            withUnsafePointer(to: model) {
                var stack = [UnsafeRawPointer(outer), UnsafeRawPointer($0)]
                stack.reserveCapacity(8)
                program.run(stack: &stack, into: &output, slots: &slots)
            }
        }
        return (output, slots)
    }

    public func text(_ model: Model) -> String { String(decoding: render(model), as: UTF8.self) }
}

/// One step of a template as the linker resolves it: a tree, sections holding their bodies.
/// `Program` lays it out flat to run.
enum Step {
    case bytes([UInt8])
    /// A value written: the field `read` of the value reached from stack frame `frame` through
    /// `path` (objects in objects).
    case write(Reference, escaped: Bool)
    /// A write of the slot field: where its value ends is recorded.
    case slot(Reference, escaped: Bool)
    /// `{{.}}` over a text pushed by a section.
    case writeFrameText(frame: Int, escaped: Bool)
    case section(Reference, inverted: Bool, [Step])

    struct Reference {
        let frame: Int
        let path: [Schema.Nested]
        let field: Schema.Kind
    }
}

/// A linked template laid out to run: its steps in one flat array (a section's body is the steps
/// after it, up to its end), the static bytes in one buffer (adjacent ones joined) and the
/// references in a table. A step holds only numbers, so running the program retains nothing of
/// it: walking steps that held their arrays and closures retained and released them at each step
/// of every page, 6 % of a whole build's CPU (docs/performance.md, "The build, third pass").
struct Program {
    enum Op {
        case bytes(start: Int, end: Int)
        case write(reference: Int, escaped: Bool)
        case slot(reference: Int, escaped: Bool)
        case writeFrameText(frame: Int, escaped: Bool)
        /// The body is the ops up to `end`.
        case section(reference: Int, inverted: Bool, end: Int)
    }

    private(set) var ops: [Op] = []
    private(set) var bytes: [UInt8] = []
    private(set) var references: [Step.Reference] = []

    init(_ steps: [Step]) { append(steps) }

    private mutating func append(_ steps: [Step]) {
        var joinable = false  // the last op is bytes that this body wrote just before
        for step in steps {
            switch step {
            case .bytes(let chunk):
                if chunk.isEmpty { continue }
                if joinable, case .bytes(let start, let end) = ops[ops.count - 1] {
                    ops[ops.count - 1] = .bytes(start: start, end: end + chunk.count)
                } else {
                    ops.append(.bytes(start: bytes.count, end: bytes.count + chunk.count))
                }
                bytes += chunk
                joinable = true
                continue
            case .write(let reference, let escaped):
                references.append(reference)
                ops.append(.write(reference: references.count - 1, escaped: escaped))
            case .slot(let reference, let escaped):
                references.append(reference)
                ops.append(.slot(reference: references.count - 1, escaped: escaped))
            case .writeFrameText(let frame, let escaped):
                ops.append(.writeFrameText(frame: frame, escaped: escaped))
            case .section(let reference, let inverted, let body):
                references.append(reference)
                let (r, at) = (references.count - 1, ops.count)
                ops.append(.section(reference: r, inverted: inverted, end: at))
                append(body)
                ops[at] = .section(reference: r, inverted: inverted, end: ops.count)
            }
            joinable = false
        }
    }

    /// Runs the program over the context `stack` (a section pushes its value for its body and
    /// pops it after, so no iteration allocates a stack of its own).
    func run(stack: inout [UnsafeRawPointer], into output: inout [UInt8], slots: inout [Int]) {
        ops.withUnsafeBufferPointer { ops in
            bytes.withUnsafeBufferPointer { bytes in
                references.withUnsafeBufferPointer { references in
                    Run(ops: ops, bytes: bytes, references: references).run(0..<ops.count, stack: &stack, into: &output, slots: &slots)
                }
            }
        }
    }

    /// The program's three arrays while it runs.
    private struct Run {
        let ops: UnsafeBufferPointer<Op>
        let bytes: UnsafeBufferPointer<UInt8>
        let references: UnsafeBufferPointer<Step.Reference>

        func run(_ range: Range<Int>, stack: inout [UnsafeRawPointer], into output: inout [UInt8], slots: inout [Int]) {
            var i = range.lowerBound
            while i < range.upperBound {
                switch ops[i] {
                case .bytes(let start, let end):
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                case .write(let r, let escaped), .slot(let r, let escaped):
                    reach(r, from: stack[references[r].frame]) { pointer in
                        Self.write(references[r].field, at: pointer, escaped: escaped, into: &output)
                    }
                    if case .slot = ops[i] { slots.append(output.count) }
                case .writeFrameText(let frame, let escaped):
                    let text = stack[frame].assumingMemoryBound(to: String.self)
                    if escaped { HTMLBytes.appendEscaped(text.pointee, to: &output) } else { output.append(contentsOf: text.pointee.utf8) }
                case .section(let r, let inverted, let end):
                    let body = (i + 1)..<end
                    reach(r, from: stack[references[r].frame]) { pointer in
                        section(
                            references[r].field, at: pointer, inverted: inverted, body: body, stack: &stack, into: &output, slots: &slots)
                    } absent: {
                        if inverted { run(body, stack: &stack, into: &output, slots: &slots) }
                    }
                    i = end
                    continue
                }
                i += 1
            }
        }

        /// Calls `body` with the value that holds reference `r`'s field, walking the objects of
        /// its path from `frame`, the value of its stack frame; `absent` when one of them is missing.
        func reach(_ r: Int, from frame: UnsafeRawPointer, _ body: (UnsafeRawPointer) -> Void, absent: () -> Void = {}) {
            func walk(_ pointer: UnsafeRawPointer, _ step: Int) -> Bool {
                guard step < references[r].path.count else { body(pointer); return true }
                var reached = false
                _ = references[r].path[step].with(pointer) { reached = walk($0, step + 1) }
                return reached
            }
            if !walk(frame, 0) { absent() }
        }

        static func write(_ field: Schema.Kind, at pointer: UnsafeRawPointer, escaped: Bool, into output: inout [UInt8]) {
            switch field {
            case .text(let read):
                if escaped { HTMLBytes.appendEscaped(read(pointer), to: &output) } else { output.append(contentsOf: read(pointer).utf8) }
            case .html(let read):
                let bytes = read(pointer)
                if escaped {
                    bytes.withUnsafeBufferPointer { HTMLBytes.appendEscaped($0, to: &output) }
                } else {
                    output.append(contentsOf: bytes)
                }
            case .number(let read):
                output.append(contentsOf: String(read(pointer)).utf8)
            case .flag(let read):
                output.append(contentsOf: (read(pointer) ? "true" : "false").utf8)
            case .texts, .object, .list:
                break  // refused by the linker
            }
        }

        func section(_ field: Schema.Kind, at pointer: UnsafeRawPointer, inverted: Bool, body: Range<Int>, stack: inout [UnsafeRawPointer],
                     into output: inout [UInt8], slots: inout [Int]) {
            func runPushing(_ value: UnsafeRawPointer) {
                stack.append(value)
                run(body, stack: &stack, into: &output, slots: &slots)
                stack.removeLast()
            }
            switch field {
            case .flag(let read):
                if read(pointer) != inverted { run(body, stack: &stack, into: &output, slots: &slots) }
            case .number(let read):
                if (read(pointer) != 0) != inverted { run(body, stack: &stack, into: &output, slots: &slots) }
            case .html(let read):
                if read(pointer).isEmpty == inverted { run(body, stack: &stack, into: &output, slots: &slots) }
            case .text(let read):
                let text = read(pointer)
                if inverted {
                    if text.isEmpty { run(body, stack: &stack, into: &output, slots: &slots) }
                } else if !text.isEmpty {
                    withUnsafePointer(to: text) { runPushing(UnsafeRawPointer($0)) }
                }
            case .texts(let read):
                let texts = read(pointer)
                if inverted {
                    if texts.isEmpty { run(body, stack: &stack, into: &output, slots: &slots) }
                } else {
                    texts.withUnsafeBufferPointer { buffer in
                        for i in buffer.indices { runPushing(UnsafeRawPointer(buffer.baseAddress! + i)) }
                    }
                }
            case .object(let nested), .list(let nested):
                if inverted {
                    if !nested.with(pointer, { _ in }) { run(body, stack: &stack, into: &output, slots: &slots) }
                } else {
                    _ = nested.with(pointer) { runPushing($0) }
                }
            }
        }
    }
}

/// What a template writes: HTML, where every value but HTML is escaped, or plain text.
public enum TemplateOutput: Sendable {
    case html
    case text
}

/// Resolves a template's names against the model types on its context stack.
struct Linker {
    let library: TemplateLibrary
    var output = TemplateOutput.html
    /// The globals' field whose writes are `Step.slot`s.
    var slot: String?

    /// What each frame of the context stack holds, as the linker knows it.
    enum Frame {
        case model(Schema)
        case text
    }

    /// Blocks given by the parents being linked, outermost first (the outermost wins), each with
    /// the file it was written in.
    var overrides: [[String: (nodes: [TemplateNode], file: String)]] = []
    /// The partials and parents being linked inside each other, to refuse a cycle.
    var including: [String] = []
    /// Sections inside sections here. Each level over a list multiplies the work: no theme
    /// nests sixteen deep, and past that a page could take forever.
    var sectionDepth = 0
    static let maxSectionDepth = 16

    mutating func link(_ nodes: [TemplateNode], file: String, stack: [Frame], indentation: [UInt8]) throws(TemplateError) -> [Step] {
        var ops: [Step] = []
        for node in nodes {
            switch node {
            case .text(let bytes):
                ops.append(.bytes(bytes))
            case .lineStart:
                ops.append(.bytes(indentation))
            case .variable(let name, let escaped, let at):
                if name.isImplicit {
                    guard case .text = stack[stack.count - 1] else {
                        throw TemplateError(
                            file: file, line: at.line, column: at.column,
                            "'.' here is not a text: it names the current value only inside a section over texts")
                    }
                    ops.append(.writeFrameText(frame: stack.count - 1, escaped: escaped && output == .html))
                    continue
                }
                let reference = try resolve(name, stack: stack, file: file, at: at)
                switch reference.field {
                case .texts, .object, .list:
                    throw TemplateError(
                        file: file, line: at.line, column: at.column,
                        "'\(name)' is \(reference.field.word): write it with {{#\(name)}}…{{/\(name)}}")
                case .text, .number, .flag:
                    if !escaped && output == .html {
                        throw TemplateError(
                            file: file, line: at.line, column: at.column,
                            "'\(name)' is \(reference.field.word), not HTML: write it escaped, {{\(name)}}")
                    }
                case .html:
                    break
                }
                if let slot, name.parts == [slot], reference.frame == 0, reference.path.isEmpty, stack.count > 1 {
                    ops.append(.slot(reference, escaped: escaped && output == .html))
                } else {
                    ops.append(.write(reference, escaped: escaped && output == .html))
                }
            case .section(let name, let inverted, let children, let at):
                guard !name.isImplicit else {
                    throw TemplateError(file: file, line: at.line, column: at.column, "a section needs a name, not '.'")
                }
                let reference = try resolve(name, stack: stack, file: file, at: at)
                guard sectionDepth < Self.maxSectionDepth else {
                    throw TemplateError(
                        file: file, line: at.line, column: at.column, "sections nest more than \(Self.maxSectionDepth) deep")
                }
                sectionDepth += 1
                defer { sectionDepth -= 1 }
                var inner = stack
                if !inverted {
                    switch reference.field {
                    case .text, .texts: inner.append(.text)
                    case .object(let nested), .list(let nested): inner.append(.model(nested.schema()))
                    case .flag, .number, .html: break
                    }
                }
                ops.append(.section(reference, inverted: inverted, try link(children, file: file, stack: inner, indentation: indentation)))
            case .partial(let name, let extra, let at):
                ops += try include(name, file: file, at: at, stack: stack, indentation: indentation + extra)
            case .parent(let name, let extra, let blocks, let at):
                overrides.append(blocks.mapValues { ($0, file) })
                defer { overrides.removeLast() }
                ops += try include(name, file: file, at: at, stack: stack, indentation: indentation + extra)
            case .block(let name, let children, _):
                if let given = overrides.lazy.compactMap({ $0[name] }).first {
                    ops += try link(given.nodes, file: given.file, stack: stack, indentation: indentation)
                } else {
                    ops += try link(children, file: file, stack: stack, indentation: indentation)
                }
            }
        }
        return ops
    }

    private mutating func include(
        _ name: String, file: String, at: TemplatePosition, stack: [Frame], indentation: [UInt8]
    ) throws(TemplateError) -> [Step] {
        guard let nodes = try library.nodes(name) else {
            throw TemplateError(file: file, line: at.line, column: at.column, "no template '\(name)' to include")
        }
        guard !including.contains(name) else {
            throw TemplateError(
                file: file, line: at.line, column: at.column,
                "'\(name)' includes itself (\((including + [name]).joined(separator: " → ")))"
            )
        }
        including.append(name)
        defer { including.removeLast() }
        return try link(nodes, file: library.files[name] ?? name, stack: stack, indentation: indentation)
    }

    /// The spec's lookup, done once: the nearest frame that has the name's first part, then the
    /// rest inside it.
    private func resolve(_ name: TemplateName, stack: [Frame], file: String, at: TemplatePosition) throws(TemplateError) -> Step.Reference {
        let first = name.parts[0]
        for index in stack.indices.reversed() {
            guard case .model(let schema) = stack[index], var field = schema.fields[first] else { continue }
            var path: [Schema.Nested] = []
            var owner = schema
            for part in name.parts.dropFirst() {
                guard case .object(let nested) = field else {
                    throw TemplateError(
                        file: file, line: at.line, column: at.column,
                        "'\(name)': '\(owner.typeName)'s '\(path.isEmpty ? first : part)' is \(field.word), which has no '\(part)'")
                }
                let inner = nested.schema()
                guard let next = inner.fields[part] else {
                    throw TemplateError(
                        file: file, line: at.line, column: at.column,
                        "'\(name)': \(inner.typeName) has no '\(part)' (it has \(inner.fields.keys.sorted().joined(separator: ", ")))")
                }
                path.append(nested)
                owner = inner
                field = next
            }
            return Step.Reference(frame: index, path: path, field: field)
        }
        let known = stack.compactMap { frame -> String? in
            guard case .model(let schema) = frame else { return nil }
            return "\(schema.typeName) (\(schema.fields.keys.sorted().joined(separator: ", ")))"
        }
        throw TemplateError(
            file: file, line: at.line, column: at.column, "'\(name)' is not a name here: \(known.reversed().joined(separator: "; "))")
    }
}
