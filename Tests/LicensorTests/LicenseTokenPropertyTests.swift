import Licensor
import Testing

@Suite("License token properties")
struct LicenseTokenPropertyTests {
    /// Claims with random text everywhere and whole-second times, which is what a token carries.
    static func randomClaims(using generator: inout some RandomNumberGenerator) -> LicenseClaims {
        func text() -> String { RandomText.string(maximumLength: 24, using: &generator) }
        // 0001-01-01 … 9999-12-31, the range RFC 3339 years can express.
        let seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)
        let issued = Timestamp(seconds: seconds)
        let expires: Timestamp? =
            Bool.random(using: &generator)
            ? nil : Timestamp(seconds: Int64.random(in: seconds...253_402_300_799, using: &generator))
        return LicenseClaims(
            issuer: text(), key: text(), productID: text(), productName: Bool.random(using: &generator) ? text() : nil,
            tier: text(), name: text(), email: text(), issuedAt: issued, expiresAt: expires)
    }

    /// Verifies as an app would, trusting `keys` and expecting `issuer`, at `now`.
    static func verify(
        _ token: String, keys: [Ed25519PublicKey], issuer: String = "licensor", now: Timestamp
    ) throws(VerificationError) -> LicenseClaims {
        try LicenseVerifier(trustedKeys: TrustedKeys(keys), issuer: issuer, clock: { now }).verify(licenseToken: token)
    }

    @Test("random claims sign and verify to the same claims", arguments: 0..<4)
    func roundTrip(batch: Int) throws {
        let key = try Ed25519PrivateKey.generate()
        let other = try Ed25519PrivateKey.generate()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let claims = Self.randomClaims(using: &generator)
            let token = try LicenseToken.sign(claims, with: key)
            let before = claims.expiresAt.map { Timestamp(microseconds: $0.microseconds - 1) } ?? .lifetime
            #expect(
                try Self.verify(token, keys: [other.publicKey, key.publicKey], issuer: claims.issuer, now: before)
                    == claims)
            #expect(try LicenseToken.unverifiedClaims(of: token) == claims)
            // The footer's key id picks the key, so a token is refused when only another key is trusted.
            let unknown = #expect(throws: VerificationError.self) {
                try Self.verify(token, keys: [other.publicKey], issuer: claims.issuer, now: before)
            }
            #expect(unknown?.code == .unknownKey)
            if let expires = claims.expiresAt {
                let expired = #expect(throws: VerificationError.self) {
                    try Self.verify(token, keys: [key.publicKey], issuer: claims.issuer, now: expires)
                }
                #expect(expired?.code == .expired)
            }
        }
    }

    @Test("any single-byte change to a license token is rejected")
    func everyByteChanged() throws {
        let key = try Ed25519PrivateKey.generate()
        let claims = LicenseClaims(
            key: "ABCD-EFGH-JKLM-NPQR", productID: "prod_Ab12", productName: "Pro App", tier: "team",
            name: "Ada Lovelace", email: "ada@example.com", issuedAt: Timestamp(seconds: 1_700_000_000),
            expiresAt: Timestamp(seconds: 1_900_000_000))
        let token = Array(try LicenseToken.sign(claims, with: key).utf8)
        let now = Timestamp(seconds: 1_800_000_000)
        #expect(
            try Self.verify(String(decoding: token, as: UTF8.self), keys: [key.publicKey], now: now) == claims)
        let replacements: [UInt8] = [
            0x00, UInt8(ascii: "A"), UInt8(ascii: "g"), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: "."), UInt8(ascii: "="), 0x7F, 0xC3, 0xFF,
        ]
        for position in token.indices {
            var candidates = replacements
            // Flipping the lowest bit often lands on the neighbouring base64url symbol, the subtlest change.
            candidates.append(token[position] ^ 0x01)
            for replacement in candidates where replacement != token[position] {
                var altered = token
                altered[position] = replacement
                let text = String(decoding: altered, as: UTF8.self)
                #expect(throws: VerificationError.self, "byte \(position) → \(replacement)") {
                    try Self.verify(text, keys: [key.publicKey], now: now)
                }
            }
        }
    }
}

@Suite("Fuzzer regressions")
struct FuzzerRegressionTests {
    @Test(
        "times that an offset or leap second pushes out of four-digit years are rejected",
        arguments: [
            "9999-12-31T23:59:59-01:00", "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:60Z",
            "0000-01-01 00:00:00.5+00:01",
        ])
    func outOfRangeTimes(text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    @Test(
        "the edges of the four-digit years parse and write back",
        arguments: [
            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00",
        ])
    func edgeTimes(text: String) throws {
        let time = try #require(Timestamp(parsing: text))
        #expect(Timestamp(parsing: time.rfc3339) == time)
    }
}
