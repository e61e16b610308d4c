import FoundationEssentials
import Licensor
import Testing

/// docs/token-vectors.json: licensor's own vectors for sellers implementing the format. They are rebuilt here from
/// fixed seeds (Ed25519 signing is deterministic), so the file cannot drift from what the code mints; run with
/// `LICENSOR_WRITE_TOKEN_VECTORS=1` to rewrite it after a deliberate format change.
@Suite("docs/token-vectors.json")
struct TokenVectorTests {
    static let path = CryptoTestSupport.testsDirectory + "/../../docs/token-vectors.json"
    static let tokensDocument = CryptoTestSupport.testsDirectory + "/../../docs/TOKENS.md"

    static let current = try! Ed25519PrivateKey(seed: [UInt8](repeating: 0x4C, count: 32))
    static let retired = try! Ed25519PrivateKey(seed: [UInt8](repeating: 0x52, count: 32))
    static let stranger = try! Ed25519PrivateKey(seed: [UInt8](repeating: 0x53, count: 32))
    static let now = Timestamp(year: 2027, month: 1, day: 16, hour: 8)
    static let issued = Timestamp(year: 2027, month: 1, day: 15, hour: 8)

    static let license = LicenseClaims(
        key: "7KQ2M-XH9PA-3RTWZ-B8NCE-4FJUV", productID: "demo-product-id", productName: "Acme Pro", tier: "pro",
        name: "Jane Doe", email: "jane@example.com", issuedAt: issued,
        expiresAt: Timestamp(year: 2028, month: 1, day: 15, hour: 8))

    static let lease = LeaseToken.claims(
        key: license.key, productID: license.productID, tier: "pro", instanceID: "3f1c9a0e-5b7d-4e2a-9c61-0d8e2b4f7a13",
        nonce: "b6c1e0f4", licenseExpiresAt: license.expiresAt, now: issued, ttlSeconds: 7 * 86_400)

    static let fingerprint = "machine-A"

    struct Vector {
        var name: String
        var kind: String
        var token: String
        var fingerprint: String?
        var error: String?
        var claims: JSONValue?
    }

    static func signRaw(_ members: [(String, JSONValue)], with key: Ed25519PrivateKey) throws -> String {
        try PASETOv4Public.sign(
            payload: Array(JSONValue.object(members).serialized().utf8), footer: LicenseToken.footer(for: key),
            using: key)
    }

    static func vectors() throws -> [Vector] {
        let licenseToken = try LicenseToken.sign(license, with: current)
        var lifetime = license
        lifetime.expiresAt = nil
        lifetime.productName = nil
        let leaseToken = try LeaseToken.sign(lease, fingerprint: fingerprint, with: current)
        var legacy = license.json.objectValue!
        legacy.removeAll { $0.0 == "typ" }
        var expired = license
        expired.expiresAt = Timestamp(year: 2027, month: 1, day: 16)
        var future = license
        future.issuedAt = Timestamp(year: 2027, month: 1, day: 16, hour: 9)
        var otherIssuer = license
        otherIssuer.issuer = "someone-else"
        var otherProduct = license
        otherProduct.productID = "another-product"
        var badOffset = license.json.objectValue!
        badOffset = badOffset.map { $0.0 == "iat" ? ("iat", .string("2027-01-15T08:00:00+99:99")) : $0 }
        var tampered = Array(licenseToken.utf8)
        // Inside the signature, so the payload still parses and only the signature check can catch it.
        let middle = tampered.lastIndex(of: UInt8(ascii: "."))! - 10
        tampered[middle] = tampered[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        var leaseClaims = lease.json(fingerprint: Array(fingerprint.utf8)).objectValue!
        leaseClaims.removeAll { $0.0 == "fp" }
        return [
            Vector(name: "license-one-year", kind: "license", token: licenseToken, claims: license.json),
            Vector(
                name: "license-lifetime", kind: "license", token: try LicenseToken.sign(lifetime, with: current),
                claims: lifetime.json),
            Vector(
                name: "license-before-typ", kind: "license", token: try signRaw(legacy, with: current),
                claims: .object(legacy)),
            Vector(
                name: "license-rotated-key", kind: "license", token: try LicenseToken.sign(license, with: retired),
                claims: license.json),
            Vector(
                name: "lease", kind: "lease", token: leaseToken, fingerprint: fingerprint,
                claims: lease.json(fingerprint: Array(fingerprint.utf8))),
            Vector(
                name: "lease-other-machine", kind: "lease", token: leaseToken, fingerprint: "machine-B",
                error: "wrongMachine"),
            Vector(name: "lease-as-license", kind: "license", token: leaseToken, error: "wrongTokenKind"),
            Vector(
                name: "license-as-lease", kind: "lease", token: licenseToken, fingerprint: fingerprint,
                error: "wrongTokenKind"),
            Vector(
                name: "license-unknown-key", kind: "license", token: try LicenseToken.sign(license, with: stranger),
                error: "unknownKey"),
            Vector(
                name: "license-tampered", kind: "license", token: String(decoding: tampered, as: UTF8.self),
                error: "badSignature"),
            Vector(
                name: "license-expired", kind: "license", token: try LicenseToken.sign(expired, with: current),
                error: "expired"),
            Vector(
                name: "license-issued-in-the-future", kind: "license",
                token: try LicenseToken.sign(future, with: current), error: "notYetValid"),
            Vector(
                name: "license-other-issuer", kind: "license",
                token: try LicenseToken.sign(otherIssuer, with: current), error: "wrongIssuer"),
            Vector(
                name: "license-other-product", kind: "license",
                token: try LicenseToken.sign(otherProduct, with: current), error: "wrongProduct"),
            Vector(
                name: "license-impossible-offset", kind: "license", token: try signRaw(badOffset, with: current),
                error: "malformed"),
        ]
    }

    static func keyJSON(_ name: String, _ key: Ed25519PrivateKey, seed: UInt8, trusted: Bool) -> JSONValue {
        .object([
            ("name", .string(name)), ("trusted", .bool(trusted)),
            ("seed_hex", .string(hex([UInt8](repeating: seed, count: 32)))),
            ("public_key_hex", .string(hex(key.publicKey.rawRepresentation))),
            ("public_key_pem", .string(key.publicKey.pemRepresentation)), ("paserk", .string(key.publicKey.paserk)),
            ("kid", .string(key.publicKey.keyID)),
        ])
    }

    static func hex(_ bytes: [UInt8]) -> String {
        Hex.encode(bytes)
    }

    static func document() throws -> String {
        let vectors = try vectors().map { vector -> JSONValue in
            var members: [(String, JSONValue)] = [
                ("name", .string(vector.name)), ("kind", .string(vector.kind)), ("token", .string(vector.token)),
                ("fingerprint", vector.fingerprint.map(JSONValue.string) ?? .null),
            ]
            if let error = vector.error {
                members.append(("expect_error", .string(error)))
            } else {
                members.append(("expect_claims", vector.claims!))
            }
            return .object(members)
        }
        let root = JSONValue.object([
            (
                "description",
                .string("licensor token vectors; see docs/TOKENS.md. Keys are test keys: they sign nothing real.")
            ),
            (
                "keys",
                .array([
                    keyJSON("current", current, seed: 0x4C, trusted: true),
                    keyJSON("retired", retired, seed: 0x52, trusted: true),
                    keyJSON("stranger", stranger, seed: 0x53, trusted: false),
                ])
            ),
            (
                "verifier",
                .object([
                    ("issuer", .string("licensor")), ("product", .string(license.productID)),
                    ("now", .string(now.rfc3339)), ("clock_skew_seconds", .integer(300)),
                ])
            ),
            ("vectors", .array(vectors)),
        ])
        return pretty(root) + "\n"
    }

    /// One member per line, so a change to a vector reads as a small diff.
    static func pretty(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            return "{\n"
                + members.map { inner + JSONValue.string($0.0).serialized() + ": " + pretty($0.1, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case .array(let elements):
            return "[\n" + elements.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent
                + "]"
        default:
            return value.serialized()
        }
    }

    @Test("the committed vectors are exactly what licensor mints today")
    func upToDate() throws {
        let expected = try Self.document()
        if ChildProcess.currentEnvironment["LICENSOR_WRITE_TOKEN_VECTORS"] == "1" {
            try CryptoTestSupport.write(expected, to: Self.path, mode: 0o644)
        }
        let committed = String(decoding: try Data(contentsOf: URL(filePath: Self.path)), as: UTF8.self)
        #expect(committed == expected, "rewrite with LICENSOR_WRITE_TOKEN_VECTORS=1 swift test --filter TokenVector")
    }

    @Test("every vector verifies to its claims or fails with its error code")
    func verifyVectors() throws {
        let verifier = LicenseVerifier(
            trustedKeys: TrustedKeys([Self.current.publicKey, Self.retired.publicKey]), issuer: "licensor",
            clock: { Self.now })
        var restricted = verifier
        restricted.product = Self.license.productID
        for vector in try Self.vectors() {
            do {
                if vector.kind == "lease" {
                    let claims = try restricted.verify(leaseToken: vector.token, fingerprint: vector.fingerprint!)
                    #expect(
                        claims.json(fingerprint: Array(vector.fingerprint!.utf8)) == vector.claims, "\(vector.name)")
                } else {
                    let claims = try restricted.verify(licenseToken: vector.token)
                    var expected = vector.claims!.objectValue!
                    if !expected.contains(where: { $0.0 == "typ" }) {
                        expected.insert(("typ", .string("licensor.license.v1")), at: 1)
                    }
                    #expect(claims.json == .object(expected), "\(vector.name)")
                }
                #expect(vector.error == nil, "\(vector.name) verified")
            } catch {
                #expect(error.code.description == vector.error, "\(vector.name): \(error)")
            }
        }
    }

    @Test("the Python snippet in docs/TOKENS.md agrees with every vector", .enabled(if: Pyseto.isAvailable))
    func pythonSnippet() throws {
        let document = String(decoding: try Data(contentsOf: URL(filePath: Self.tokensDocument)), as: UTF8.self)
        let begin = "<!-- BEGIN verify_licensor_token.py -->\n```python\n"
        let end = "```\n<!-- END verify_licensor_token.py -->"
        let start = try #require(document.firstRange(of: begin))
        let stop = try #require(document[start.upperBound...].firstRange(of: end))
        let snippet = String(document[start.upperBound..<stop.lowerBound])
        let directory = try CryptoTestSupport.temporaryDirectory()
        defer { CryptoTestSupport.removeDirectory(directory) }
        try CryptoTestSupport.write(snippet, to: directory + "/verify_licensor_token.py")
        let result = try #require(
            CryptoTestSupport.run(["python3", directory + "/verify_licensor_token.py", "--vectors", Self.path]))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("15 vectors ok"), "\(result.output)")
    }
}
