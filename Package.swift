// swift-tools-version: 6.2
import PackageDescription

/// Foundation's static archive needs its C parts named (SwiftPM's --static-swift-stdlib adds them).
let foundationParts = [
    "-Xlinker", "--start-group", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims",
    "-l_FoundationCollections", "-lFoundationEssentials", "-lFoundationInternationalization", "-lswiftSynchronization",
    "-Xlinker", "--end-group",
]
/// Swift's runtime and Foundation linked into the binary: it runs where only the C libraries it
/// names are installed (libsqlite3, libcmark, libargon2), and starts without loading them.
let staticSwift: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"] + foundationParts)]

/// The gateway's two programs, one process per request: static PIEs. Static, so that nothing is
/// loaded or looked up before `main` (no loader, no shared library: a comment's whole process
/// 13.7 → 11.0 ms of CPU, docs/scaling.md); PIE, so that the kernel loads them at a random
/// address (ASLR) like any program that reads untrusted input. lld makes them, through
/// `Tools/ld-static-pie`, which drops the run path SwiftPM gives every executable (glibc's
/// static-PIE start-up refuses one).
let staticPIE = [
    "-static-executable", "-Xclang-linker", "-static-pie", "-use-ld=\(Context.packageDirectory)/Tools/ld-static-pie", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
]
/// The functions each of the gateway's programs runs for its commonest requests, placed side by
/// side at the start of its code (`Tools/front-door.order`: a page view, 1,500 functions;
/// `Tools/whole-gateway.order`: a comment, a sign-in, the list, the dashboard, 4,900; both written
/// by `make link-order`). A process maps the code it runs from the page cache 64 KB around each
/// fault: spread over the libraries' order, a page view's took 43 faults; together, 23; a
/// comment's CPU went 9.0 → 8.6 ms (docs/performance.md, "The page view, third pass"). A name the
/// binary no longer has is skipped.
func linkOrder(_ list: String) -> [String] {
    ["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Tools/\(list)", "-Xlinker", "--no-warn-symbol-ordering"]
}

let package = Package(
    name: "Belenus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "belenus", targets: ["belenus"]),
        .executable(name: "belenus-gateway", targets: ["belenus-gateway"]),
        .executable(name: "belenus-gateway-full", targets: ["belenus-gateway-full"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        // The preview server of `belenus serve`, in the CLI only (SPEC §8).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0", traits: []),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    ],
    targets: [
        // System libraries: shims only.
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CSQLiteConfig", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // cmark with a per-thread bump allocator (docs/performance.md: cmark's malloc and free).
        .target(name: "CmarkArena", dependencies: ["CCmark"]),

        // What needs no Foundation, for the gateway's front door: text and page bytes, hex,
        // SHA-256, UTC time stamps, the request log, the answer's security headers.
        .target(name: "BelenusBytes"),
        // Value types and rules. No I/O.
        .target(name: "BelenusCore", dependencies: ["BelenusBytes"]),
        // Parsers of untrusted input: the CGI request, form bodies, cookies, front matter. No I/O;
        // fuzzed (Tests/Fuzz/, `make fuzz`).
        .target(name: "BelenusInput", dependencies: ["BelenusCore", .product(name: "Yams", package: "Yams")]),
        // The Mustache engine: templates parsed once into trees of byte chunks and tags, HTML
        // escaped by byte. No I/O.
        .target(name: "BelenusTemplates", dependencies: ["BelenusCore"]),
        // SQLite: schema, migrations, queries, transactions.
        .target(name: "BelenusStore", dependencies: [
            "BelenusBytes", "BelenusCore", "CArgon2", "CSQLiteConfig",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The outbox and its transports.
        .target(name: "BelenusMail", dependencies: ["BelenusCore", "BelenusStore", "BelenusFiles"]),
        // The site on disk: paths, belenus.toml, locks, atomic writes, the attachment folder, the
        // content files, backup and restore.
        // The default theme and sample content, built into `belenus` (the plugin runs `embed-files`).
        .target(name: "BelenusDefaultSite", plugins: ["EmbedDefaultSite"]),
        .executableTarget(name: "embed-files"),
        .plugin(name: "EmbedDefaultSite", capability: .buildTool(), dependencies: ["embed-files"]),
        .target(name: "BelenusFiles", dependencies: [
            "BelenusCore", "BelenusInput", "BelenusStore", .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The views: the theme (templates linked to typed models, UI strings, assets), one model
        // per page, form and mail, cmark.
        .target(name: "BelenusViews", dependencies: [
            "BelenusCore", "BelenusInput", "BelenusFiles", "BelenusTemplates", "CCmark", "CmarkArena",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The generator: which pages exist, what each depends on, and the publisher.
        .target(name: "BelenusBuild", dependencies: [
            "BelenusCore", "BelenusInput", "BelenusStore", "BelenusFiles", "BelenusViews",
        ]),
        // CGI: routes, sessions, CSRF, uploads, the request log.
        .target(name: "BelenusGateway", dependencies: [
            "BelenusCore", "BelenusInput", "BelenusStore", "BelenusFiles", "BelenusViews", "BelenusBuild", "BelenusMail",
        ]),
        .executableTarget(name: "belenus", dependencies: [
            "BelenusCore", "BelenusStore", "BelenusFiles", "BelenusViews", "BelenusBuild", "BelenusMail", "BelenusDefaultSite",
            "BelenusGateway", "BelenusInput",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: staticSwift),
        // The CGI program (SPEC §8), one process per request: its front door answers a ticket's
        // page view itself, without Foundation (a 9 MB binary: docs/performance.md), and hands
        // every other request to the whole gateway, `belenus-gateway-full`, by exec.
        .executableTarget(
            name: "belenus-gateway", dependencies: ["BelenusBytes", "CSQLiteConfig"],
            linkerSettings: [.unsafeFlags(staticPIE + linkOrder("front-door.order"))]),
        .executableTarget(
            name: "belenus-gateway-full", dependencies: ["BelenusCore", "BelenusGateway", "BelenusInput", "BelenusFiles"],
            linkerSettings: [.unsafeFlags(staticPIE + foundationParts + linkOrder("whole-gateway.order"))]),

        // The fuzz targets of BelenusInput and the template parser: libFuzzer under `make fuzz`, a replayer otherwise.
        .executableTarget(name: "belenus-fuzz", dependencies: ["BelenusInput", "BelenusTemplates"]),

        // What every test target shares: temporary folders that delete themselves, the checkout's
        // and the binaries' folders, the programs' runner, the gateway's (`CGI`, `GatewaySite`:
        // in this process by default, or through the binary), sites to build, web servers and
        // their HTTP client, free ports.
        .target(name: "BelenusTestSupport", dependencies: [
            "BelenusBuild", "BelenusCore", "BelenusFiles", "BelenusGateway", "BelenusInput", "BelenusStore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Tests/BelenusTestSupport"),
        // swift-crypto is here only: the hand-written SHA-256 is checked against it.
        .testTarget(name: "BelenusCoreTests", dependencies: ["BelenusBytes", "BelenusCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "BelenusTemplatesTests", dependencies: ["BelenusTemplates"]),
        // swift-mustache is here only: the differential test renders the theme through it too.
        .testTarget(name: "BelenusViewsTests", dependencies: [
            "BelenusFiles", "BelenusTemplates", "BelenusViews", .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .testTarget(name: "BelenusInputTests", dependencies: ["BelenusCore", "BelenusInput", .product(name: "Yams", package: "Yams")], exclude: ["Fixtures"]),
        .testTarget(name: "BelenusStoreTests", dependencies: [
            "BelenusBytes", "BelenusCore", "BelenusStore", "BelenusTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "BelenusBuildTests", dependencies: [
            "BelenusCore", "BelenusStore", "BelenusFiles", "BelenusTemplates", "BelenusViews", "BelenusBuild", "TOMLKit", "BelenusTestSupport",
        ]),
        .testTarget(name: "BelenusGatewayTests", dependencies: ["BelenusGateway", "BelenusStore", "BelenusFiles", "BelenusTestSupport"]),
        .testTarget(name: "BelenusMailTests", dependencies: ["BelenusCore", "BelenusMail", "BelenusStore"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "BelenusCore", "BelenusGateway", "BelenusInput", "BelenusStore", "BelenusFiles", "BelenusTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

/// Generic types named in our code (`[String: String]`, `Set<Login>`, …) get their runtime
/// metadata from accessors the compiler writes, not from their mangled names read at run time:
/// by name, each first use in a process was a demangling and, for a `Hashable` key, a linear
/// search of the binary's 6,000 protocol conformances. A CGI process is all first uses: that
/// was a fifth of a comment's CPU (docs/scaling.md, "Metadata by accessor").
for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])]
}
