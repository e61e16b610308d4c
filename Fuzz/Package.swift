// swift-tools-version:6.2
import PackageDescription

// The libFuzzer harness lives in its own package so that the main package's `swift build` and `swift test` never see
// a target that only links with `-sanitize=fuzzer`. scripts/fuzz.sh builds and runs it.
let package = Package(
    name: "licensor-fuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "licensor-fuzz", targets: ["LicensorFuzz"])
    ],
    dependencies: [
        .package(name: "licensor", path: "..")
    ],
    targets: [
        // libFuzzer's driver function, which the harness's `main` calls; the library comes with `-sanitize=fuzzer`.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "LicensorFuzz",
            dependencies: [
                "CLibFuzzer", .product(name: "Licensor", package: "licensor"),
                .product(name: "LicensorVerifier", package: "licensor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
