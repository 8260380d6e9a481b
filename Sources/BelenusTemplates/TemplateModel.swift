/// A value a template renders: a struct that lists the names its templates may use, each with
/// its kind and how to read it. A name no model on the stack has is an error when the theme
/// loads, not an empty string on a page.
///
/// ```swift
/// struct ArticlePage: TemplateModel {
///     var title: String
///     var body: HTML
///     var tags: [String]
///     static let templateFields = TemplateFields<ArticlePage> {
///         $0.text("title") { $0.title }
///         $0.html("body_html") { $0.body }
///         $0.texts("tags") { $0.tags }
///     }
/// }
/// ```
public protocol TemplateModel: Sendable {
    static var templateFields: TemplateFields<Self> { get }
}

/// Markup that may be written as it is (`{{{name}}}`): cmark's output, or a page's own markup.
/// Any other value is escaped, and a raw tag on it is refused when the theme loads.
public struct HTML: Sendable, Equatable {
    /// UTF-8, written to the page as it is.
    public let bytes: [UInt8]
    public init(_ text: String) { bytes = Array(text.utf8) }
    /// Markup already in bytes (cmark's output): no String is made of it.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var isEmpty: Bool { bytes.isEmpty }
    public static let empty = HTML(bytes: [])
}

/// The fields of `Model` by name, built once (a `static let`) and shared by every render.
///
/// The methods are `@inlinable`: specialized where a model lists its fields, each reader reads
/// its field from the model in place, with no generic metadata lookup and no copy of the whole
/// model (unspecialized, reading one field copied the model: half of the rendering time).
public final class TemplateFields<Model>: @unchecked Sendable {
    @usableFromInline let schema: Schema

    @inlinable public init(_ build: (TemplateFields<Model>) -> Void) {
        schema = Schema(type: Model.self)
        build(self)
    }

    @usableFromInline func add(_ name: String, _ kind: Schema.Kind) {
        precondition(schema.fields[name] == nil, "\(Model.self) names '\(name)' twice")
        schema.fields[name] = kind
    }

    @inlinable static func read<T>(_ get: @escaping (borrowing Model) -> T) -> (UnsafeRawPointer) -> T {
        { get($0.assumingMemoryBound(to: Model.self).pointee) }
    }

    /// Text, escaped where it is written.
    @inlinable public func text(_ name: String, _ get: @escaping (borrowing Model) -> String) { add(name, .text(Self.read(get))) }
    /// Markup, written as it is by `{{{name}}}`.
    @inlinable public func html(_ name: String, _ get: @escaping (borrowing Model) -> HTML) {
        add(name, .html(Self.read { get($0).bytes }))
    }
    /// A condition for `{{#name}}` / `{{^name}}`.
    @inlinable public func flag(_ name: String, _ get: @escaping (borrowing Model) -> Bool) { add(name, .flag(Self.read(get))) }
    @inlinable public func number(_ name: String, _ get: @escaping (borrowing Model) -> Int) { add(name, .number(Self.read(get))) }
    /// Texts, each `{{.}}` inside `{{#name}}…{{/name}}`.
    @inlinable public func texts(_ name: String, _ get: @escaping (borrowing Model) -> [String]) { add(name, .texts(Self.read(get))) }

    /// A model inside this one, or none (then `{{#name}}` renders nothing and `{{^name}}` its body).
    ///
    /// Read in place: a stored property is reached at its offset in the model, and `Optional`'s
    /// payload is at the start of its bytes (Swift's layout of a single-payload enum), so each
    /// `{{ticket.number}}` no longer copies the whole ticket (a retain and a release of every
    /// text in it: 13 of them on a ticket page). A computed property is read by its key path.
    @inlinable public func object<Inner: TemplateModel>(_ name: String, _ path: KeyPath<Model, Inner?>) {
        guard let offset = MemoryLayout<Model>.offset(of: path) else { return computed(name) { $0[keyPath: path] } }
        nested(name, Inner.self) { pointer, body in
            let field = (pointer + offset).assumingMemoryBound(to: Inner?.self)
            guard field.pointee != nil else { return false }
            body(UnsafeRawPointer(field))
            return true
        }
    }

    /// A model inside this one that is always there.
    @inlinable public func object<Inner: TemplateModel>(_ name: String, _ path: KeyPath<Model, Inner>) {
        guard let offset = MemoryLayout<Model>.offset(of: path) else { return computed(name) { $0[keyPath: path] } }
        nested(name, Inner.self) { pointer, body in
            body(pointer + offset)
            return true
        }
    }

    /// An object a computed property gives: a copy, made at each use.
    @inlinable func computed<Inner: TemplateModel>(_ name: String, _ get: @escaping (borrowing Model) -> Inner?) {
        nested(name, Inner.self) { pointer, body in
            guard let inner = get(pointer.assumingMemoryBound(to: Model.self).pointee) else { return false }
            withUnsafePointer(to: inner) { body(UnsafeRawPointer($0)) }
            return true
        }
    }

    @inlinable func nested<Inner: TemplateModel>(
        _ name: String, _: Inner.Type, with: @escaping (UnsafeRawPointer, (UnsafeRawPointer) -> Void) -> Bool
    ) {
        add(name, .object(Schema.Nested(schema: { Inner.templateFields.schema }, with: with)))
    }

    /// Models in order: `{{#name}}` renders its body for each.
    @inlinable public func list<Element: TemplateModel>(_ name: String, _ get: @escaping (borrowing Model) -> [Element]) {
        add(name, .list(Schema.Nested(
            schema: { Element.templateFields.schema },
            with: { pointer, body in
                let items = get(pointer.assumingMemoryBound(to: Model.self).pointee)
                items.withUnsafeBufferPointer { buffer in
                    for i in buffer.indices { body(UnsafeRawPointer(buffer.baseAddress! + i)) }
                }
                return !items.isEmpty
            })))
    }
}

/// The fields of one model type, with the type erased: what the linker resolves names against.
/// Reading a field takes a pointer to a value of that type; the linker only ever passes one.
@usableFromInline final class Schema: @unchecked Sendable {
    let type: Any.Type
    var fields: [String: Kind] = [:]

    @usableFromInline init(type: Any.Type) { self.type = type }

    /// For error messages only: naming a type goes through the runtime's metadata lookups, which
    /// every model's schema paid at its first use in each process (1 ms of a CGI request).
    var typeName: String { String(describing: type) }

    @usableFromInline struct Nested {
        let schema: () -> Schema
        /// Calls `body` with each value (an object: once, if present); false when there is none.
        let with: (UnsafeRawPointer, (UnsafeRawPointer) -> Void) -> Bool

        @usableFromInline init(schema: @escaping () -> Schema, with: @escaping (UnsafeRawPointer, (UnsafeRawPointer) -> Void) -> Bool) {
            self.schema = schema
            self.with = with
        }
    }

    @usableFromInline enum Kind {
        case text((UnsafeRawPointer) -> String)
        case html((UnsafeRawPointer) -> [UInt8])
        case flag((UnsafeRawPointer) -> Bool)
        case number((UnsafeRawPointer) -> Int)
        case texts((UnsafeRawPointer) -> [String])
        case object(Nested)
        case list(Nested)

        var word: String {
            switch self {
            case .text: "text"
            case .html: "HTML"
            case .flag: "a condition"
            case .number: "a number"
            case .texts: "a list of texts"
            case .object: "an object"
            case .list: "a list"
            }
        }
    }

    /// The value at `pointer` as an untyped value: for the differential tests and the spec's
    /// dynamic renderer, which take the same names.
    func value(at pointer: UnsafeRawPointer) -> TemplateValue {
        var object: [String: TemplateValue] = [:]
        for (name, kind) in fields {
            switch kind {
            case .text(let read): object[name] = .string(read(pointer))
            case .html(let read): object[name] = .string(String(decoding: read(pointer), as: UTF8.self))
            case .flag(let read): object[name] = .bool(read(pointer))
            case .number(let read): object[name] = .int(read(pointer))
            case .texts(let read): object[name] = .list(read(pointer).map { .string($0) })
            case .object(let nested):
                var inner = TemplateValue.null
                _ = nested.with(pointer) { inner = nested.schema().value(at: $0) }
                object[name] = inner
            case .list(let nested):
                var items: [TemplateValue] = []
                _ = nested.with(pointer) { items.append(nested.schema().value(at: $0)) }
                object[name] = .list(items)
            }
        }
        return .object(object)
    }
}

extension TemplateModel {
    /// This model as an untyped value, with the same names.
    public var templateValue: TemplateValue {
        withUnsafePointer(to: self) { Self.templateFields.schema.value(at: UnsafeRawPointer($0)) }
    }
}
