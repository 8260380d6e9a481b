import BelenusInput
import BelenusTemplates
import Foundation

// The fuzz targets: each takes any bytes, must not crash, and checks what its parser promises.
// Built with libFuzzer by `make fuzz` (Tests/Fuzz/run.sh, with -DBELENUS_FUZZ); a plain build
// replays files instead: `belenus-fuzz TARGET FILE_OR_FOLDER...`.

/// Small limits, so that the fuzzer reaches "too many files" and "too large".
let limits = BodyLimits(maxFiles: 3, maxFileBytes: 1024)

/// A POST to the gateway with this content type and body, as the CGI variables carry it.
func postedForm(contentType: String, body: [UInt8]) {
    let environment = ["REQUEST_METHOD": "POST", "CONTENT_TYPE": contentType, "CONTENT_LENGTH": String(body.count)]
    let request = CGIRequest(environment: environment)
    guard let form = try? request.form(body: body, limits: limits) else { return }
    check(form)
}

/// Whether `text` holds the byte `ascii`: by bytes, for `String.contains` matches by canonical
/// equivalence (U+037E, the Greek question mark, "contains" a semicolon).
func holds(_ text: String, _ ascii: Unicode.Scalar) -> Bool { text.utf8.contains(UInt8(ascii.value)) }

/// What every parsed form promises: bounded parts and files, no NUL in a value.
func check(_ form: FormFields) {
    precondition(form.pairs.count + form.files.count <= 64, "more than 64 parts")
    precondition(form.files.count <= limits.maxFiles, "more files than the limit")
    precondition(form.files.allSatisfy { $0.bytes.count <= limits.maxFileBytes }, "a file over the limit")
    precondition(form.pairs.allSatisfy { !holds($0.name, "\u{0}") && !holds($0.value, "\u{0}") }, "a NUL in a field")
}

/// Up to the first newline, and the rest.
func firstLine(_ bytes: [UInt8]) -> (String, [UInt8]) {
    let cut = bytes.firstIndex(of: 10) ?? bytes.endIndex
    return (String(decoding: bytes[..<cut], as: UTF8.self), Array(bytes[min(cut + 1, bytes.endIndex)...]))
}

/// A CGI environment value: what a C string holds (no NUL), decoded as the gateway's
/// ProcessInfo decodes it.
func variable(_ bytes: some Sequence<UInt8>) -> String { String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self) }

/// What the template target links fuzzed templates against: a page with every kind of field.
struct FuzzPage: TemplateModel {
    struct Item: TemplateModel {
        var name = "<b>\"\u{0301}"
        var n = 3
        var ok = true
        var tags = ["a", "<b>"]
        static let templateFields = TemplateFields<Item> {
            $0.text("name") { $0.name }
            $0.number("n") { $0.n }
            $0.flag("ok") { $0.ok }
            $0.texts("tags") { $0.tags }
        }
    }
    var title = "a & b"
    var body = HTML("<p>x</p>")
    var items = [Item(), Item()]
    var page: Item? = Item()
    var empty: [Item] = []
    static let templateFields = TemplateFields<FuzzPage> {
        $0.text("title") { $0.title }
        $0.html("body_html") { $0.body }
        $0.list("items") { $0.items }
        $0.object("page", \.page)
        $0.list("empty") { $0.empty }
    }
}

let targets: [String: ([UInt8]) -> Void] = [
    // The first line is the Content-Type (its boundary), the rest the body.
    "multipart": { bytes in
        let (contentType, body) = firstLine(bytes)
        postedForm(contentType: contentType, body: body)
    },
    // A form body, and the same bytes as a query string.
    "urlencoded": { bytes in
        postedForm(contentType: "application/x-www-form-urlencoded", body: bytes)
        let request = CGIRequest(environment: ["QUERY_STRING": variable(bytes)])
        precondition(request.query.allSatisfy { !holds($0.value, "\u{0}") }, "a NUL in the query")
    },
    // A Cookie header.
    "cookie": { bytes in
        let request = CGIRequest(environment: ["HTTP_COOKIE": variable(bytes)])
        for (name, value) in request.cookies {
            precondition(!holds(name, ";") && !holds(value, ";"), "a cookie holds a separator")
        }
    },
    // A knowledge-base article file.
    "frontmatter": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        guard let article = try? KBArticle.parse(text, file: "fuzz.md") else { return }
        precondition(!article.title.trimmingCharacters(in: .whitespaces).isEmpty, "an article without a title")
        precondition(text.hasSuffix(article.body), "the body is not the file's end")
    },
    // A theme template (the first line, if it starts with "partial:", is a partial named "p").
    // Parsed, it renders without a crash against a value with lists, objects and markup, and
    // once linked against FuzzPage renders the same bytes typed as untyped; refused, its error
    // names a line and column inside the text.
    "template": { bytes in
        var sources = ["page": TemplateLibrary.Source(file: "page.mustache", text: String(decoding: bytes, as: UTF8.self))]
        let marker = Array("partial:".utf8)
        if bytes.starts(with: marker) {
            let cut = bytes.firstIndex(of: 10) ?? bytes.endIndex
            sources["p"] = TemplateLibrary.Source(file: "p.mustache", text: String(decoding: bytes[marker.count..<cut], as: UTF8.self))
            sources["page"] = TemplateLibrary.Source(
                file: "page.mustache", text: String(decoding: bytes[min(cut + 1, bytes.endIndex)...], as: UTF8.self))
        }
        do {
            let library = try TemplateLibrary(sources)
            let item = TemplateValue.object(["name": .string("<b>\"\u{0301}"), "n": .int(3), "ok": .bool(true)])
            let value = TemplateValue.object(["items": .list([item, item]), "title": .string("a & b"), "page": item, "empty": .list([])])
            for name in library.names { _ = library.render(name, value) }
            // Linked against a model: refused with a TemplateError, or rendered as the untyped
            // renderer renders the same values.
            if let linked = try? LinkedTemplate<FuzzPage>("page", in: library) {
                let model = FuzzPage()
                let typed = linked.render(model)
                if let untyped = library.renderWhole("page", model.templateValue) {
                    precondition(typed == untyped, "typed and untyped renderings differ")
                }
            }
        } catch let error as TemplateError {
            let lines = sources.values.map { $0.text.utf8.split(separator: 10, omittingEmptySubsequences: false).count }.max() ?? 1
            precondition(error.line >= 1 && error.line <= lines && error.column >= 1, "an error outside the text: \(error)")
        } catch {
            preconditionFailure("not a TemplateError: \(error)")
        }
    },
    // A whole request: CGI variables as NAME=value lines, an empty line, the body.
    "cgi": { bytes in
        var environment: [String: String] = [:]
        var rest = bytes[...]
        while let end = rest.firstIndex(of: 10) {
            let line = rest[rest.startIndex..<end]
            rest = rest[(end + 1)...]
            if line.isEmpty { break }
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            environment[variable(line[line.startIndex..<eq])] = variable(line[(eq + 1)...])
        }
        let request = CGIRequest(environment: environment)
        precondition(request.contentLength >= 0, "a negative length")
        precondition(request.malformed == nil || request.contentLength == 0, "a malformed length that would be read")
        _ = request.cookies
        _ = request.wantsJSON
        _ = request.queryValue("q")
        if let form = try? request.form(body: Array(rest), limits: limits) { check(form) }
    },
    // A received mail (`belenus mail receive`, SPEC §7): parsed or refused; when parsed, its
    // new text is part of its text, and every address it names has an @.
    "mail": { bytes in
        guard let mail = try? InboundMail(bytes) else { return }
        let text = ReplyText.newText(mail.text)
        precondition(text.utf8.count <= mail.text.utf8.count + 1, "the new text is longer than the text")
        let addresses = mail.recipientAddresses + [mail.fromAddress].compactMap { $0 }
        precondition(addresses.allSatisfy { $0.contains("@") }, "an address without @")
        _ = mail.automaticReason
        _ = mail.messageID
        _ = mail.subject
    },
]

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets[arguments[1]] else {
    FileHandle.standardError.write(
        Data("usage: belenus-fuzz \(targets.keys.sorted().joined(separator: "|")) [FILE_OR_FOLDER... | libFuzzer options]\n".utf8))
    exit(2)
}

#if BELENUS_FUZZ
// libFuzzer's driver (linked from libclang_rt.fuzzer_no_main) with the target's name taken out
// of the arguments, so that its options and corpus folders follow as usual.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

nonisolated(unsafe) var selected = target
var driverArguments = [strdup(arguments[0])] + arguments.dropFirst(2).map { strdup($0) } + [nil]
var count = Int32(driverArguments.count - 1)
exit(driverArguments.withUnsafeMutableBufferPointer { buffer in
    var base = buffer.baseAddress!
    return LLVMFuzzerRunDriver(&count, &base) { data, size in
        selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
})
#else
// Replay: every file named, and every file in every folder named.
var files: [String] = []
for path in arguments.dropFirst(2) {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        FileHandle.standardError.write(Data("belenus-fuzz: \(path): no such file\n".utf8))
        exit(2)
    }
    if isFolder.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += names.sorted().filter { !$0.hasPrefix(".") }.map { "\(path)/\($0)" }
    } else {
        files.append(path)
    }
}
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else { continue }
    target(Array(data))
}
print("\(arguments[1]): \(files.count) inputs, no crash")
#endif
