import FoundationEssentials
import Licensor
import Testing

@Suite("Keys and tokens made by the OpenSSL build")
struct CompatibilityTests {
    static func resource(_ name: String) throws -> String {
        String(decoding: try CryptoTestSupport.resource("compat/" + name), as: UTF8.self)
    }

    static func token(_ file: String) throws -> String {
        try #require(try JSONParser.parse(try resource(file))["token"]?.stringValue)
    }

    @Test("the old signing key loads, names the same key and writes back the same file")
    func signingKey() throws {
        let pem = try Self.resource("signing-key.pem")
        let key = try Ed25519PrivateKey(pemRepresentation: pem)
        #expect(key.publicKey.keyID == "4573ee0137b37dae")
        #expect(key.pemRepresentation == pem)
        let printed = try Self.resource("public-key.txt")
        #expect(printed.contains(key.publicKey.pemRepresentation))
        // New tokens from the old key carry the same kid as the old tokens.
        let footer = try PASETOv4Public.unverifiedFooter(of: try Self.token("year.json"))
        #expect(footer == LicenseToken.footer(for: key))
    }

    @Test("tokens issued by the old build verify with the new verifier", arguments: ["year.json", "lifetime.json"])
    func oldTokens(file: String) throws {
        let record = try JSONParser.parse(try Self.resource(file))
        let publicKey = try Ed25519PublicKey(pemRepresentation: try Self.resource("public-key.txt"))
        let verifier = LicenseVerifier(
            trustedKeys: TrustedKeys([publicKey]), issuer: "licensor",
            clock: { Timestamp(year: 2026, month: 12, day: 3) })
        let claims = try verifier.verify(licenseToken: try Self.token(file))
        #expect(claims.key == record["license_key"]?.stringValue)
        #expect(claims.email == record["email"]?.stringValue)
        #expect(claims.productID == record["product_id"]?.stringValue)
        #expect(claims.issuedAt.rfc3339 == record["issued_at"]?.stringValue)
        if file == "lifetime.json" {
            #expect(claims.isLifetime)
        } else {
            #expect(claims.expiresAt?.rfc3339 == record["expires_at"]?.stringValue)
        }
    }
}

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    /// RFC 4231 §4.2–4.7 (test case 5's truncated output is checked on its first 16 bytes).
    static let cases: [(key: String, data: String, mac: String)] = [
        (
            String(repeating: "0b", count: 20), "4869205468657265",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            "0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            String(repeating: "0c", count: 20), "546573742057697468205472756e636174696f6e",
            "a3b6167473100ee06e0c796c2955552b"
        ),
        (
            String(repeating: "aa", count: 131),
            "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ]

    @Test("RFC 4231 test vectors", arguments: 0..<6)
    func rfc4231(index: Int) {
        let vector = Self.cases[index]
        let key = CryptoTestSupport.bytes(hex: vector.key)
        let data = CryptoTestSupport.bytes(hex: vector.data)
        let expected = CryptoTestSupport.bytes(hex: vector.mac)
        let mac = HMACSHA256.authenticationCode(for: data, key: key)
        #expect(Array(mac.prefix(expected.count)) == expected)
        if expected.count == 32 {
            #expect(HMACSHA256.isValid(expected, for: data, key: key))
            #expect(!HMACSHA256.isValid(Array(expected.dropLast()), for: data, key: key))
        }
    }

    @Test("SHA-256 of abc")
    func sha256() {
        #expect(
            HMACSHA256.sha256(Array("abc".utf8))
                == CryptoTestSupport.bytes(hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }
}

@Suite("Lease token signing")
struct LeaseTokenTests {
    @Test("a signed lease verifies on its machine only, ends at the TTL or the license's end")
    func signAndVerify() throws {
        let key = try Ed25519PrivateKey(seed: [UInt8](repeating: 3, count: 32))
        let now = Timestamp(seconds: 1_800_000_000)
        let licenseEnd = Timestamp(seconds: 1_800_000_000 + 3 * 86_400)
        let claims = LeaseToken.claims(
            key: "K", productID: "p", tier: "pro", instanceID: "i1", nonce: "n", licenseExpiresAt: licenseEnd,
            now: now, ttlSeconds: 7 * 86_400)
        #expect(claims.expiresAt == licenseEnd, "never past the license's end")
        let token = try LeaseToken.sign(claims, fingerprint: "fp-1", with: key)
        let verifier = LicenseVerifier(trustedKeys: TrustedKeys([key.publicKey]), clock: { now })
        #expect(try verifier.verify(leaseToken: token, fingerprint: "fp-1") == claims)
        let other = #expect(throws: VerificationError.self) {
            try verifier.verify(leaseToken: token, fingerprint: "fp-2")
        }
        #expect(other?.code == .wrongMachine)
        let asLicense = #expect(throws: VerificationError.self) { try verifier.verify(licenseToken: token) }
        #expect(asLicense?.code == .wrongTokenKind)
        let short = LeaseToken.claims(
            key: "K", productID: "p", tier: "pro", instanceID: "i1", nonce: nil, licenseExpiresAt: nil, now: now,
            ttlSeconds: 3600)
        #expect(short.expiresAt == Timestamp(seconds: now.seconds + 3600))
    }
}
