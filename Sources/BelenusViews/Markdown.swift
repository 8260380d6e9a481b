import CCmark
import BelenusTemplates
import Foundation

/// CommonMark to HTML with cmark's default options (SPEC §8): raw HTML becomes a comment and
/// `javascript:`, `vbscript:`, `file:` and most `data:` links are emptied. Never `CMARK_OPT_UNSAFE`.
public enum Markdown {
    /// cmark's output as bytes, straight from its buffer.
    public static func html(_ markdown: String) -> HTML {
        var source = markdown
        return source.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let rendered = cmark_markdown_to_html(base, bytes.count, CMARK_OPT_DEFAULT) else {
                return .empty
            }
            defer { free(rendered) }
            return HTML(bytes: Array(UnsafeBufferPointer(start: UnsafeRawPointer(rendered).assumingMemoryBound(to: UInt8.self), count: strlen(rendered))))
        }
    }

    public static func text(_ markdown: String) -> String {
        var source = markdown
        return source.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let rendered = cmark_markdown_to_html(base, bytes.count, CMARK_OPT_DEFAULT) else {
                return ""
            }
            defer { free(rendered) }
            return String(cString: rendered)
        }
    }
}
