// swift-tools-version:6.0
import PackageDescription

// A seller's app in miniature: it depends on licensor for LicensorVerifier alone, as an app would with
// `.package(url: "https://github.com/<seller>/licensor", from: "1.0.0")`.
let package = Package(
    name: "VerifyLicense",
    platforms: [.macOS(.v13), .iOS(.v16)],
    dependencies: [
        .package(name: "licensor", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "VerifyLicense",
            dependencies: [.product(name: "LicensorVerifier", package: "licensor")]
        )
    ],
    swiftLanguageModes: [.v6]
)
