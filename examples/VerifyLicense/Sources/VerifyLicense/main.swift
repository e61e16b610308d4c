// Usage: VerifyLicense PUBLIC_KEY_PEM_FILE TOKEN [PRODUCT]
// Prints the claims of a valid license token and exits 0; prints the refusal's code and exits 1 otherwise.
import LicensorVerifier

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    print("usage: VerifyLicense PUBLIC_KEY_PEM_FILE TOKEN [PRODUCT]")
    exit(2)
}

do {
    // A real app embeds the PEM as a string constant; reading a file keeps this example general.
    let pem = String(decoding: try Data(contentsOf: URL(fileURLWithPath: arguments[1])), as: UTF8.self)
    var keys = TrustedKeys()
    try keys.add(pem: pem)
    let verifier = LicenseVerifier(trustedKeys: keys, product: arguments.count == 4 ? arguments[3] : nil)
    let license = try verifier.verify(licenseToken: arguments[2])
    print("valid license")
    print("key      \(license.key)")
    print("product  \(license.productID)\(license.productName.map { " (\($0))" } ?? "")")
    print("tier     \(license.tier)")
    print("name     \(license.name)")
    print("email    \(license.email)")
    print("issued   \(license.issued)")
    print("expires  \(license.expires.map { "\($0)" } ?? "never (lifetime)")")
} catch let error as VerificationError {
    // The code is what an app branches on: `expired` → offer renewal, `badSignature` → treat as tampered.
    print("refused: \(error.code): \(error.message)")
    exit(1)
} catch {
    print("cannot read the public key: \(error)")
    exit(2)
}
