import Foundation

/// An HTML mail part as plain text: what a reply written in Outlook on the web or an HTML-only
/// client says. Tags go; `<br>` ends a line, and `<p>`, `<div>`, `<li>`, `<tr>` and headings the
/// line they are on; the
/// lines inside `<blockquote>` are quoted with `> ` (so the quote is recognised as in a text
/// reply); `<head>`, `<style>` and `<script>` are dropped with their content; entities decoded.
/// Runs of spaces collapse, as a browser shows them. Scalar by scalar.
enum HTMLText {
    static func text(_ html: String) -> String {
        var lines: [String] = [""]
        var depth = 0
        var skipping: String?  // inside <head>, <style> or <script>
        var pendingSpace = false
        // A block ends the line it is on (nested blocks make no blank lines, as a browser shows
        // them); `<br>` ends a line even when it is empty, keeping at most one blank line.
        func newLine(always: Bool = false) {
            pendingSpace = false
            let current = lines[lines.count - 1]
            if current.isEmpty || current == String(repeating: "> ", count: depth) {
                guard always, lines.count < 2 || !lines[lines.count - 2].isEmpty else { return }
            }
            lines.append("")
        }
        func append(_ text: String) {
            for scalar in text.unicodeScalars {
                if scalar.properties.isWhitespace && scalar != "\u{A0}" {
                    pendingSpace = true
                    continue
                }
                if lines[lines.count - 1].isEmpty {
                    lines[lines.count - 1] = String(repeating: "> ", count: depth)
                } else if pendingSpace && !lines[lines.count - 1].hasSuffix(" ") {
                    lines[lines.count - 1] += " "
                }
                pendingSpace = false
                lines[lines.count - 1].unicodeScalars.append(scalar == "\u{A0}" ? " " : scalar)
            }
        }
        var scalars = html.unicodeScalars[...]
        while let open = scalars.firstIndex(of: "<") {
            if skipping == nil { append(entities(String(scalars[..<open]))) }
            guard let close = scalars[open...].firstIndex(of: ">") else { scalars = scalars[scalars.endIndex...]; break }
            let tag = String(scalars[scalars.index(after: open)..<close]).lowercased()
            scalars = scalars[scalars.index(after: close)...]
            // The tag's name by scalars: ASCII letters and digits after an optional `/`.
            let closing = tag.unicodeScalars.first == "/"
            let name = String(String.UnicodeScalarView(
                tag.unicodeScalars.drop { $0 == "/" }.prefix { ("a"..."z").contains($0) || ("0"..."9").contains($0) }))
            if let skipped = skipping {
                if closing && name == skipped { skipping = nil }
                continue
            }
            switch name {
            case "head", "style", "script", "title": if !closing { skipping = name }
            case "br": newLine(always: true)
            case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre": newLine()
            case "blockquote":
                newLine()
                depth = max(0, depth + (closing ? -1 : 1))
            default: break
            }
        }
        if skipping == nil { append(entities(String(scalars))) }
        let trimmed = lines.map { line in line.hasSuffix(" ") ? String(line.dropLast()) : line }
        return trimmed.joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&nbsp;`, `&#NNN;`, `&#xHH;` and
    /// a few letters of Spanish; unknown ones stay as written.
    static func entities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "aacute": "á", "eacute": "é",
            "iacute": "í", "oacute": "ó", "uacute": "ú", "ntilde": "ñ", "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó",
            "Uacute": "Ú", "Ntilde": "Ñ", "uuml": "ü", "iexcl": "¡", "iquest": "¿", "laquo": "«", "raquo": "»", "hellip": "…",
        ]
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(10).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = String(after[..<semi])
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                replacement = named[name]
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }
}
