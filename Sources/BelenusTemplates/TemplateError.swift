/// A template that cannot be used, with where: "layout.mustache:12:5: unclosed section 'items'".
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template's file, or its name when it has no file.
    public let file: String
    /// 1-based line and column (in Unicode scalars) of the tag at fault.
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
