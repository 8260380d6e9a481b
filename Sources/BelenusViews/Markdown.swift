import CCmark
import CmarkArena
import BelenusTemplates
import Foundation

/// CommonMark to HTML with cmark's default options (SPEC §8): raw HTML becomes a comment and
/// `javascript:`, `vbscript:`, `file:` and most `data:` links are emptied. Never `CMARK_OPT_UNSAFE`.
public enum Markdown {
    /// cmark's output as bytes, copied from the thread's arena (`CmarkArena`).
    public static func html(_ markdown: String) -> HTML {
        HTML(bytes: render(markdown) { Array($0) })
    }

    public static func text(_ markdown: String) -> String {
        render(markdown) { String(decoding: $0, as: UTF8.self) }
    }

    /// `body` gets cmark's HTML for `markdown`; the bytes are valid only during the call.
    private static func render<T>(_ markdown: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var source = markdown
        return source.withUTF8 { bytes in
            var length = 0
            let rendered = bytes.withMemoryRebound(to: CChar.self) { text in
                belenus_markdown_to_html(text.baseAddress, text.count, CMARK_OPT_DEFAULT, &length)
            }
            guard let rendered else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
            return body(UnsafeBufferPointer(start: UnsafeRawPointer(rendered).assumingMemoryBound(to: UInt8.self), count: length))
        }
    }
}
