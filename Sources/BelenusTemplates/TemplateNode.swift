/// A parsed template: static bytes and tags, with sections, partials, parents and blocks as trees.
indirect enum TemplateNode: Sendable {
    /// Bytes written as they are.
    case text([UInt8])
    /// The start of a line of the template's source: where a partial's indentation goes.
    case lineStart
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}` (as it is).
    case variable(TemplateName, escaped: Bool, at: TemplatePosition)
    /// `{{#name}}…{{/name}}`, or `{{^name}}…{{/name}}` when inverted.
    case section(TemplateName, inverted: Bool, [TemplateNode], at: TemplatePosition)
    /// `{{>name}}`, with the indentation of its line when it stands alone on it.
    case partial(String, indentation: [UInt8], at: TemplatePosition)
    /// `{{<name}}…{{/name}}`: the template `name` with the blocks given here in place of its own.
    case parent(String, indentation: [UInt8], overrides: [String: [TemplateNode]], at: TemplatePosition)
    /// `{{$name}}default{{/name}}`: a place a child template may fill.
    case block(String, [TemplateNode], at: TemplatePosition)
}

/// A tag's name: `.` (the current value) or dotted parts (`ticket.title`).
struct TemplateName: Sendable, Hashable, CustomStringConvertible {
    /// Empty for `.`.
    let parts: [String]

    var isImplicit: Bool { parts.isEmpty }
    var description: String { isImplicit ? "." : parts.joined(separator: ".") }
}

/// Where a tag starts in its template's source.
struct TemplatePosition: Sendable, Hashable {
    let line: Int
    let column: Int
}
