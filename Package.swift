// swift-tools-version:6.2
import PackageDescription

#if canImport(Glibc)
    import Glibc

    /// Whether the C library this is built against applies packed relative relocations (DT_RELR, glibc 2.36): a
    /// binary packed for it refuses to start on an older one, so builds on such a system (Amazon Linux 2023 has
    /// 2.34) keep the classic table.
    let glibcAppliesRELR: Bool = {
        var buffer = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return false }
        let version = String(cString: buffer).split(separator: " ").last ?? ""
        let parts = version.split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 && (parts[0], parts[1]) >= (2, 36)
    }()
#else
    let glibcAppliesRELR = false
#endif

let package = Package(
    name: "licensor",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .executable(name: "licensor", targets: ["licensor"]),
        .library(name: "Licensor", targets: ["Licensor"]),
        .library(name: "LicensorVerifier", targets: ["LicensorVerifier"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // No pkg-config for these two: SwiftPM would put the system library folder on the link line ahead of
        // Sources/licensor/StaticLinking, whose linker scripts make release builds link them statically. Their
        // headers and libraries are in the default paths.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libpq and libcurl are opened with dlopen when a request needs them (see their shims), so these two
        // targets give headers only: no pkg-config, whose -l flags would load them and their dependencies on
        // every start.
        .systemLibrary(
            name: "CPostgreSQL",
            providers: [.apt(["libpq-dev"])]
        ),
        // What a seller's app embeds to check tokens offline: swift-crypto alone, nothing of the server.
        .target(
            name: "LicensorVerifier",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: [".swift-format"]
        ),
        .target(
            name: "Licensor",
            dependencies: [
                "LicensorVerifier",
                "CSQLite",
                "CPostgreSQL",
                "CYAML",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "licensor",
            dependencies: [
                "Licensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["StaticLinking"],
            linkerSettings: [
                // Release builds (made with --static-swift-stdlib) link libstdc++, SQLite and libyaml statically:
                // see the linker scripts in this folder for why.
                .unsafeFlags(
                    ["-L", Context.packageDirectory + "/Sources/licensor/StaticLinking"],
                    .when(platforms: [.linux], configuration: .release)),
                // Release builds link with the toolchain's lld and, where glibc applies them, pack relative
                // relocations (DT_RELR): gold wrote 49,000 of them as a 1.2 MB table that every start read and
                // applied one by one. See docs/benchmarks.md, "What changed in session 9".
                .unsafeFlags(
                    ["-use-ld=lld"] + (glibcAppliesRELR ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []),
                    .when(platforms: [.linux], configuration: .release)),
                // Release builds export only the symbols a loaded library looks up: see the version script.
                .unsafeFlags(
                    [
                        "-Xlinker",
                        "--version-script=" + Context.packageDirectory
                            + "/Sources/licensor/StaticLinking/dynamic-symbols.map",
                    ],
                    .when(platforms: [.linux], configuration: .release)),
                // Release builds put the functions a request runs together at the front of .text, in the order
                // scripts/startup-order.sh recorded: scattered over 13 MB they cost a page fault each at every start.
                // Functions the file no longer names are simply laid out after it. See docs/benchmarks.md.
                .unsafeFlags(
                    [
                        "-Xlinker",
                        "--symbol-ordering-file=" + Context.packageDirectory
                            + "/Sources/licensor/StaticLinking/startup-order.txt",
                        "-Xlinker", "--no-warn-symbol-ordering",
                    ],
                    .when(platforms: [.linux], configuration: .release)),
                // GnuTLS's constructor looks this symbol up in the program (see SkipGnuTLSInit.swift), so it must be
                // in the dynamic symbol table in every build, not only where the linker happens to export everything.
                .unsafeFlags(
                    ["-Xlinker", "--export-dynamic-symbol=_gnutls_global_init_skip"], .when(platforms: [.linux])),
            ]
        ),
        .testTarget(
            name: "LicensorTests",
            dependencies: ["Licensor"],
            // Test data and stand-in servers are found through #filePath, not bundled: SwiftPM's resource accessor
            // would pull in full Foundation.
            exclude: [
                "Resources", "Scripts", "Support/fake_postmark.py", "Support/fake_lambda_runtime.py",
                "Support/fake_storefront_api.py",
            ]
        ),
        .testTarget(
            name: "LicensorVerifierTests",
            // Crypto only to sign test tokens; nothing of the server, so these tests see what an app sees.
            dependencies: ["LicensorVerifier", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
