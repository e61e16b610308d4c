import FoundationEssentials
import Testing

@testable import LicensorVerifier

@Suite("LicenseVerifier")
struct LicenseVerifierTests {
    let licenseToken = Fixtures.signer.license(Fixtures.license)
    let leaseToken = Fixtures.signer.lease(Fixtures.lease, fingerprint: Fixtures.fingerprint)

    @Test("a license token verifies to its claims")
    func licenseVerifies() throws {
        let claims = try Fixtures.verifier(product: "demo-product-id").verify(licenseToken: licenseToken)
        #expect(claims == Fixtures.license)
        #expect(claims.issued == Fixtures.issued.date)
        #expect(claims.expires == Fixtures.license.expiresAt?.date)
        #expect(!claims.isLifetime)
    }

    @Test("a lease token verifies for its own fingerprint")
    func leaseVerifies() throws {
        let claims = try Fixtures.verifier().verify(leaseToken: leaseToken, fingerprint: Fixtures.fingerprint)
        #expect(claims == Fixtures.lease)
        #expect(claims.instanceID == "inst_1")
        #expect(claims.nonce == "n-123")
        #expect(claims.licenseExpires == Fixtures.license.expiresAt?.date)
    }

    @Test("a license token minted before typ existed still verifies")
    func legacyLicense() throws {
        var members = Fixtures.license.json.objectValue!
        members.removeAll { $0.0 == "typ" }
        let token = Fixtures.signer.token(payload: JSONValue.object(members).serialized())
        #expect(try Fixtures.verifier().verify(licenseToken: token) == Fixtures.license)
    }

    @Test("a lifetime license has no expiry")
    func lifetime() throws {
        var claims = Fixtures.license
        claims.expiresAt = nil
        let verified = try Fixtures.verifier(at: .lifetime).verify(licenseToken: Fixtures.signer.license(claims))
        #expect(verified.isLifetime && verified.expires == nil)
    }

    @Test("every error code is reached")
    func everyCode() {
        let v = Fixtures.verifier()
        var futureLicense = Fixtures.license
        futureLicense.issuedAt = Timestamp(seconds: Fixtures.now.seconds + 301)
        let reached: [(VerificationError.Code?, VerificationError.Code)] = [
            (code { _ = try v.verify(licenseToken: "v4.public.AAAA") }, .malformed),
            (code { _ = try v.verify(licenseToken: Fixtures.other.license(Fixtures.license)) }, .unknownKey),
            (
                code {
                    _ = try v.verify(
                        licenseToken: Fixtures.other.token(
                            payload: Fixtures.license.json.serialized(),
                            footer: #"{"kid":"\#(Fixtures.signer.publicKey.keyID)"}"#))
                }, .badSignature
            ),
            (code { _ = try v.verify(licenseToken: leaseToken) }, .wrongTokenKind),
            (code { _ = try v.verify(leaseToken: licenseToken, fingerprint: Fixtures.fingerprint) }, .wrongTokenKind),
            (
                code { _ = try Fixtures.verifier(issuer: "someone-else").verify(licenseToken: licenseToken) },
                .wrongIssuer
            ),
            (code { _ = try Fixtures.verifier(product: "other").verify(licenseToken: licenseToken) }, .wrongProduct),
            (code { _ = try v.verify(leaseToken: leaseToken, fingerprint: "machine-B") }, .wrongMachine),
            (
                code {
                    _ = try Fixtures.verifier(at: Fixtures.lease.expiresAt).verify(
                        leaseToken: leaseToken, fingerprint: Fixtures.fingerprint)
                }, .expired
            ),
            (code { _ = try v.verify(licenseToken: Fixtures.signer.license(futureLicense)) }, .notYetValid),
            (code { _ = try Ed25519PublicKey(rawRepresentation: [1, 2, 3]) }, .invalidKey),
            (
                code {
                    var clock = ClockGuard(latestSeen: Fixtures.now.date)
                    try clock.check(now: Date(timeIntervalSince1970: Double(Fixtures.now.seconds - 3600)))
                }, .clockSetBack
            ),
        ]
        for (found, expected) in reached {
            if found != expected {
                Issue.record("expected \(expected), got \(String(describing: found))")
            }
        }
    }

    @Test("a token from another key with no kid, or no trusted key at all, is refused")
    func otherKey() {
        let noKid = Fixtures.other.token(payload: Fixtures.license.json.serialized(), footer: "")
        #expect(code { _ = try Fixtures.verifier().verify(licenseToken: noKid) } == .badSignature)
        #expect(code { _ = try Fixtures.verifier(keys: []).verify(licenseToken: licenseToken) } == .unknownKey)
        // Rotation: the old and the new key are both trusted; each token finds its own by kid.
        let both = Fixtures.verifier(keys: [Fixtures.other.publicKey, Fixtures.signer.publicKey])
        #expect((try? both.verify(licenseToken: licenseToken)) == Fixtures.license)
        #expect((try? both.verify(licenseToken: Fixtures.other.license(Fixtures.license))) == Fixtures.license)
    }

    @Test("a tampered commitment is refused, as a bad signature or another machine, never accepted")
    func tamperedLease() {
        var members = Fixtures.lease.json(fingerprint: Array(Fixtures.fingerprint.utf8)).objectValue!
        members = members.map { $0.0 == "fp" ? ("fp", .string("AAAAAAAAAAA")) : $0 }
        let token = Fixtures.signer.token(
            payload: JSONValue.object(members).serialized(), implicitAssertion: Array("machine-A".utf8))
        #expect(code { _ = try Fixtures.verifier().verify(leaseToken: token, fingerprint: "machine-A") } == .malformed)
        // Editing the commitment of a real lease breaks the signature; it is reported as another machine.
        let real = Array(leaseToken.utf8)
        let payload = Base64URL.decode(leaseToken.dropFirst(10).prefix { $0 != "." })!
        let fpValue = Array(
            LeaseClaims.fingerprintCommitment(key: Fixtures.lease.key, fingerprint: Array("machine-A".utf8)).utf8)
        var edited = payload
        let start = edited.firstRange(of: fpValue)!.lowerBound
        edited[start] = edited[start] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let editedToken = "v4.public." + Base64URL.encode(edited) + "." + leaseToken.split(separator: ".")[3]
        #expect(real.count == editedToken.utf8.count)
        #expect(
            code { _ = try Fixtures.verifier().verify(leaseToken: editedToken, fingerprint: "machine-A") }
                == .wrongMachine)
        // A right commitment with a wrong signature is tampering.
        var bytes = Array(leaseToken.utf8)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(
            code {
                _ = try Fixtures.verifier().verify(
                    leaseToken: String(decoding: bytes, as: UTF8.self), fingerprint: "machine-A")
            } != nil)
    }

    @Test("changing any single byte of payload, signature or footer is refused", arguments: [false, true])
    func everyByte(lease: Bool) {
        let token = Array((lease ? leaseToken : licenseToken).utf8)
        let verifier = Fixtures.verifier()
        for position in 10..<token.count {
            for replacement in [token[position] ^ 0x01, UInt8(ascii: "A"), UInt8(ascii: ".")]
            where replacement != token[position] {
                var altered = token
                altered[position] = replacement
                let text = String(decoding: altered, as: UTF8.self)
                let found = code {
                    if lease {
                        _ = try verifier.verify(leaseToken: text, fingerprint: Fixtures.fingerprint)
                    } else {
                        _ = try verifier.verify(licenseToken: text)
                    }
                }
                #expect(found != nil, "byte \(position) → \(replacement) was accepted")
            }
        }
    }

    @Test("iat a little in the future is tolerated, more is not yet valid; nbf counts too")
    func skew() throws {
        var claims = Fixtures.license
        claims.issuedAt = Timestamp(seconds: Fixtures.now.seconds + 299)
        #expect(throws: Never.self) { try Fixtures.verifier().verify(licenseToken: Fixtures.signer.license(claims)) }
        var members = Fixtures.license.json.objectValue!
        members.append(("nbf", .string(Timestamp(seconds: Fixtures.now.seconds + 3600).rfc3339)))
        let token = Fixtures.signer.token(payload: JSONValue.object(members).serialized())
        #expect(code { _ = try Fixtures.verifier().verify(licenseToken: token) } == .notYetValid)
    }

    @Test(
        "claims of the wrong type, bad times and impossible offsets are malformed",
        arguments: [
            #"{"iss":"licensor","sub":1}"#, #"{"iss":"licensor","typ":7}"#, "[]", "not json",
            #"{"iss":"licensor","sub":"K","product":"p","tier":"t","name":"n","email":"e","iat":"2027-01-15T08:00:00+99:99"}"#,
            #"{"iss":"licensor","sub":"K","product":"p","tier":"t","name":"n","email":"e","iat":"2027-02-30T08:00:00Z"}"#,
            #"{"iss":"licensor","sub":"K","product":"p","tier":"t","name":"n","email":"e","iat":"2027-01-15 08:00:00Z"}"#,
        ])
    func malformed(payload: String) {
        let token = Fixtures.signer.token(payload: payload)
        #expect(code { _ = try Fixtures.verifier().verify(licenseToken: token) } == .malformed)
    }

    @Test("an unknown key id is escaped and truncated in the message")
    func escapedKeyID() {
        let kid = "\u{1B}[31mevil\n" + String(repeating: "x", count: 500)
        let token = Fixtures.signer.token(
            payload: Fixtures.license.json.serialized(), footer: JSONValue.object([("kid", .string(kid))]).serialized())
        do {
            _ = try Fixtures.verifier().verify(licenseToken: token)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .unknownKey)
            #expect(!error.message.contains("\u{1B}") && !error.message.contains("\n"))
            #expect(error.message.count < 160)
        }
    }

    @Test("the injected clock decides expiry")
    func injectedTime() {
        let expires = Fixtures.license.expiresAt!
        var verifier = Fixtures.verifier()
        verifier.now = { Date(timeIntervalSince1970: Double(expires.seconds - 1)) }
        #expect((try? verifier.verify(licenseToken: licenseToken)) != nil)
        verifier.now = { Date(timeIntervalSince1970: Double(expires.seconds)) }
        #expect(code { _ = try verifier.verify(licenseToken: licenseToken) } == .expired)
    }
}

@Suite("ClockGuard")
struct ClockGuardTests {
    @Test("moves forward, tolerates small slips, refuses a clock set back")
    func guardClock() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var clock = ClockGuard(latestSeen: nil)
        try clock.check(now: start)
        #expect(clock.latestSeen == start)
        try clock.check(now: start.addingTimeInterval(-200))
        #expect(clock.latestSeen == start, "a slip is tolerated and does not move the mark back")
        #expect(throws: VerificationError.self) { try clock.check(now: start.addingTimeInterval(-86_400)) }
        #expect(clock.latestSeen == start)
        clock.observe(start.addingTimeInterval(3600))
        #expect(throws: VerificationError.self) { try clock.check(now: start) }
        try clock.check(now: start.addingTimeInterval(7200))
        #expect(clock.latestSeen == start.addingTimeInterval(7200))
    }
}
