import Licensor
import Testing

/// `licensor verify` through the built binary: it checks `iss` and strict times, and what it prints from an
/// attacker's token is escaped and truncated.
@Suite("licensor verify")
struct VerifyCommandTests {
    static let key = try! Ed25519PrivateKey(seed: [UInt8](repeating: 0x61, count: 32))

    static func run(_ token: String) throws -> ChildProcess.Result {
        let harness = Harness()
        return try harness.run(["verify", token, "--public-key=" + key.publicKey.pemRepresentation])
    }

    static func sign(_ members: [(String, JSONValue)], footer: JSONValue? = nil) throws -> String {
        let footer = footer.map { Array($0.serialized().utf8) } ?? LicenseToken.footer(for: key)
        return try PASETOv4Public.sign(
            payload: Array(JSONValue.object(members).serialized().utf8), footer: footer, using: key)
    }

    // Computed, not a stored global: LeakSanitizer cannot see the pointers a global array of enum payloads holds
    // in its spare bits, and reported the seven strings as leaked.
    static var claims: [(String, JSONValue)] {
        [
            ("iss", .string("licensor")), ("sub", .string("K")), ("product", .string("p")), ("tier", .string("t")),
            ("name", .string("Jane\u{1B}[2J\nDoe")), ("email", .string("e@example.com")),
            ("iat", .string("2026-01-01T00:00:00Z")),
        ]
    }

    @Test("a valid token prints its claims with control characters escaped")
    func valid() throws {
        let result = try Self.run(try Self.sign(Self.claims))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("Jane\\u{1b}[2J\\u{a}Doe"))
        #expect(!result.stdoutText.contains("\u{1B}"))
    }

    @Test("another issuer is refused")
    func otherIssuer() throws {
        let members = Self.claims.map { $0.0 == "iss" ? ("iss", .string("mallory")) : $0 }
        let result = try Self.run(try Self.sign(members))
        #expect(result.status != 0)
        #expect(result.stderrText.contains("wrongIssuer"))
    }

    @Test("an offset no zone has is refused")
    func impossibleOffset() throws {
        let members = Self.claims.map { $0.0 == "iat" ? ("iat", .string("2026-01-01T00:00:00+99:99")) : $0 }
        let result = try Self.run(try Self.sign(members))
        #expect(result.status != 0)
        #expect(result.stderrText.contains("malformed"))
    }

    @Test("an attacker's key id is escaped and truncated")
    func hostileKeyID() throws {
        let kid = "\u{1B}]0;owned\u{7}\n" + String(repeating: "k", count: 1000)
        let result = try Self.run(try Self.sign(Self.claims, footer: .object([("kid", .string(kid))])))
        #expect(result.status != 0)
        #expect(result.stderrText.contains("unknownKey"))
        #expect(!result.stderrText.contains("\u{1B}") && !result.stderrText.contains("\u{7}"))
        #expect(!result.stderrText.contains(String(repeating: "k", count: 100)))
    }
}
