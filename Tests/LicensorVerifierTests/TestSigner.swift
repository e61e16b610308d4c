import Crypto
import FoundationEssentials
import Testing

@testable import LicensorVerifier

/// Signs tokens the way licensor does, so the verifier's tests need nothing of the server.
struct TestSigner {
    let key: Curve25519.Signing.PrivateKey
    let publicKey: Ed25519PublicKey

    init(seedByte: UInt8) {
        key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: seedByte, count: 32))
        publicKey = try! Ed25519PublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation))
    }

    /// A v4.public token over `payload` with footer `{"kid":…}` (or `footer` as given).
    func token(payload: String, footer: String? = nil, implicitAssertion: [UInt8] = []) -> String {
        let footerBytes = Array((footer ?? #"{"kid":"\#(publicKey.keyID)"}"#).utf8)
        let header = Array("v4.public.".utf8)
        let message = PreAuthenticationEncoding.encode([header, Array(payload.utf8), footerBytes, implicitAssertion])
        let signature = Array(try! key.signature(for: message))
        var text = "v4.public." + Base64URL.encode(Array(payload.utf8) + signature)
        if !footerBytes.isEmpty { text += "." + Base64URL.encode(footerBytes) }
        return text
    }

    func license(_ claims: LicenseClaims) -> String {
        token(payload: claims.json.serialized())
    }

    func lease(_ claims: LeaseClaims, fingerprint: String) -> String {
        let assertion = Array(fingerprint.utf8)
        return token(payload: claims.json(fingerprint: assertion).serialized(), implicitAssertion: assertion)
    }
}

enum Fixtures {
    static let signer = TestSigner(seedByte: 0x11)
    static let other = TestSigner(seedByte: 0x22)
    static let issued = Timestamp(seconds: 1_800_000_000)  // 2027-01-15T08:00:00Z
    static let now = Timestamp(seconds: 1_800_000_000 + 86_400)

    static let license = LicenseClaims(
        key: "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV", productID: "demo-product-id", productName: "Acme Pro", tier: "pro",
        name: "Jane Doe", email: "jane@example.com", issuedAt: issued,
        expiresAt: Timestamp(seconds: 1_800_000_000 + 365 * 86_400))

    static let lease = LeaseClaims(
        key: "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV", productID: "demo-product-id", tier: "pro", instanceID: "inst_1",
        nonce: "n-123", issuedAt: issued, expiresAt: Timestamp(seconds: 1_800_000_000 + 7 * 86_400),
        licenseExpiresAt: license.expiresAt)

    static let fingerprint = "machine-A"

    static func verifier(
        keys: [Ed25519PublicKey] = [signer.publicKey], issuer: String = "licensor", product: String? = nil,
        at time: Timestamp = now
    ) -> LicenseVerifier {
        var verifier = LicenseVerifier(trustedKeys: TrustedKeys(keys), issuer: issuer, clock: { time })
        verifier.product = product
        return verifier
    }
}

/// The code of the error `body` throws, or nil when it does not throw.
func code(_ body: () throws -> Void) -> VerificationError.Code? {
    do {
        try body()
        return nil
    } catch let error as VerificationError {
        return error.code
    } catch {
        Issue.record("not a VerificationError: \(error)")
        return nil
    }
}
