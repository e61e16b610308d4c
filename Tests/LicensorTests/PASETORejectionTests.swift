import Licensor
import Testing

@Suite("PASETO v4.public rejects every altered or malformed token")
struct PASETORejectionTests {
    let vector1 = PASETOTestVector.named("4-S-1")
    let vector2 = PASETOTestVector.named("4-S-2")
    let vector3 = PASETOTestVector.named("4-S-3")
    let key: Ed25519PublicKey

    init() throws {
        key = try Ed25519PublicKey(pemRepresentation: PASETOTestVector.named("4-S-1").publicKeyPEM)
    }

    /// Expects `token` to be refused with `code`.
    private func expectRejected(
        _ token: String,
        _ code: PASETOError.Code,
        implicitAssertion: [UInt8] = [],
        expectedFooter: [UInt8]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: PASETOError.self, sourceLocation: sourceLocation) {
            try PASETOv4Public.verify(
                token, using: key, implicitAssertion: implicitAssertion, expectedFooter: expectedFooter)
        }
        #expect(error?.code == code, "\(error.map { "\($0)" } ?? "no error")", sourceLocation: sourceLocation)
    }

    /// The token's body (payload and signature) and footer text.
    private func split(_ token: String) -> (body: [UInt8], footer: Substring?) {
        let parts = token.dropFirst("v4.public.".count).split(separator: ".", omittingEmptySubsequences: false)
        return (Base64URL.decode(parts[0])!, parts.count > 1 ? parts[1] : nil)
    }

    private func assemble(_ body: [UInt8], _ footer: Substring?) -> String {
        "v4.public." + Base64URL.encode(body) + (footer.map { "." + $0 } ?? "")
    }

    @Test("changing any sampled payload byte breaks the signature")
    func tamperedPayload() {
        for vector in [vector1, vector2] {
            let (body, footer) = split(vector.token)
            let payloadCount = body.count - 64
            for position in Set(Array(stride(from: 0, to: payloadCount, by: 5)) + [0, payloadCount - 1]) {
                for mask: UInt8 in [0x01, 0x80, 0xFF] {
                    var altered = body
                    altered[position] ^= mask
                    expectRejected(assemble(altered, footer), .invalidSignature)
                }
            }
        }
    }

    @Test("flipping any single bit of the signature is rejected")
    func flippedSignatureBit() {
        let (body, footer) = split(vector2.token)
        for position in (body.count - 64)..<body.count {
            for bit in 0..<8 {
                var altered = body
                altered[position] ^= 1 << bit
                expectRejected(assemble(altered, footer), .invalidSignature)
            }
        }
    }

    @Test("dropping, adding or changing the footer is rejected")
    func changedFooter() {
        let (body1, _) = split(vector1.token)
        let (body2, footer2) = split(vector2.token)
        let otherFooter = Base64URL.encode(Array(#"{"kid":"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haM"}"#.utf8))
        expectRejected(assemble(body2, nil), .invalidSignature)
        expectRejected(assemble(body2, Substring(otherFooter)), .invalidSignature)
        expectRejected(assemble(body1, footer2), .invalidSignature)
        expectRejected(assemble(body1, Substring(Base64URL.encode([0]))), .invalidSignature)
        // The right token with a footer the caller did not expect.
        expectRejected(vector2.token, .footerMismatch, expectedFooter: Array(#"{"kid":"other"}"#.utf8))
        expectRejected(vector2.token, .footerMismatch, expectedFooter: [])
        expectRejected(vector1.token, .footerMismatch, expectedFooter: vector2.footerBytes)
    }

    @Test("a wrong or missing implicit assertion is rejected")
    func wrongImplicitAssertion() {
        expectRejected(vector3.token, .invalidSignature)
        expectRejected(vector3.token, .invalidSignature, implicitAssertion: Array(#"{"test-vector":"4-S-2"}"#.utf8))
        expectRejected(vector3.token, .invalidSignature, implicitAssertion: vector3.implicitAssertionBytes + [0x20])
        expectRejected(vector1.token, .invalidSignature, implicitAssertion: Array("x".utf8))
        expectRejected(vector2.token, .invalidSignature, implicitAssertion: vector3.implicitAssertionBytes)
    }

    @Test(
        "any header but v4.public. is rejected",
        arguments: [
            "v3.public.", "v4.local.", "v2.public.", "V4.PUBLIC.", "v4.public", "v4.publi.", " v4.public.", "v4.",
        ]
    )
    func wrongHeader(header: String) {
        let rest = vector2.token.dropFirst("v4.public.".count)
        expectRejected(header + rest, .invalidHeader)
    }

    @Test("invalid base64url is rejected")
    func badBase64() {
        let token = vector1.token
        let middle = token.index(token.startIndex, offsetBy: 40)
        expectRejected(token[..<middle] + "!" + token[token.index(after: middle)...], .malformed)
        expectRejected(token + "=", .malformed)
        expectRejected(token + "==", .malformed)
        expectRejected(token.replacingCharacter(at: 40, with: "+"), .malformed)
        expectRejected(token.replacingCharacter(at: 40, with: "/"), .malformed)
        expectRejected(token.replacingCharacter(at: 40, with: " "), .malformed)
        expectRejected(token + "\n", .malformed)
        expectRejected(vector2.token + "=", .malformed)
        expectRejected(vector2.token.replacingCharacter(at: vector2.token.utf8.count - 3, with: "!"), .malformed)
        expectRejected(vector2.token.replacingCharacter(at: 20, with: "é"), .malformed)
    }

    @Test("non-canonical trailing bits are rejected")
    func nonCanonicalTrailingBits() {
        // 4-S-1's body is 133 bytes (1 mod 3), so its last base64url character carries 4 unused bits.
        let (body, _) = split(vector1.token)
        #expect(body.count % 3 == 1)
        let token = vector1.token
        let last = token.last!
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let value = alphabet.firstIndex(of: last)!
        for unusedBits in 1..<16 {
            let altered = String(token.dropLast()) + String(alphabet[value | unusedBits])
            expectRejected(altered, .malformed)
        }
    }

    @Test("truncated and empty tokens are rejected")
    func truncated() {
        expectRejected("", .malformed)
        expectRejected("v4.public.", .malformed)
        expectRejected("v4.public..", .malformed)
        let token = vector2.token
        for length in [11, 20, 95, 96, 97, token.utf8.count - 80, token.utf8.count - 1] {
            let error = #expect(throws: PASETOError.self) {
                try PASETOv4Public.verify(String(token.utf8.prefix(length))!, using: key)
            }
            #expect(error != nil, "length \(length)")
        }
        // A body of 63 bytes cannot hold a signature.
        expectRejected("v4.public." + Base64URL.encode([UInt8](repeating: 1, count: 63)), .malformed)
        expectRejected("v4.public." + Base64URL.encode([UInt8](repeating: 1, count: 64)), .invalidSignature)
    }

    @Test("more than four parts and a trailing dot are rejected")
    func extraParts() {
        expectRejected(vector2.token + ".e30", .malformed)
        expectRejected(vector2.token + ".", .malformed)
        expectRejected(vector1.token + ".", .malformed)
        expectRejected(vector1.token + "..", .malformed)
    }

    @Test("tokens over 64 KiB are rejected before decoding")
    func tooLarge() {
        // Not valid base64url, so `.tooLarge` proves the size check came first.
        expectRejected("v4.public." + String(repeating: "!", count: 70 * 1024), .tooLarge)
        expectRejected(String(repeating: "A", count: 70 * 1024), .tooLarge)
        expectRejected("v4.public." + String(repeating: "A", count: 65_536 - 9), .tooLarge)
        #expect(throws: PASETOError.self) {
            try PASETOv4Public.unverifiedFooter(of: String(repeating: ".", count: 65_537))
        }
        // At the limit itself the token is decoded (and then fails on the signature).
        let limit = "v4.public." + Base64URL.encode([UInt8](repeating: 1, count: 49_144))
        #expect(limit.utf8.count == 65_536)
        expectRejected(limit, .invalidSignature)
    }

    @Test("a token signed by another key is rejected")
    func wrongPublicKey() throws {
        let other = try Ed25519PrivateKey.generate().publicKey
        for vector in [vector1, vector2, vector3] {
            let error = #expect(throws: PASETOError.self) {
                try PASETOv4Public.verify(vector.token, using: other, implicitAssertion: vector.implicitAssertionBytes)
            }
            #expect(error?.code == .invalidSignature)
        }
    }

    @Test("unverifiedFooter refuses malformed tokens")
    func unverifiedFooterRejects() {
        #expect(throws: PASETOError.self) {
            try PASETOv4Public.unverifiedFooter(of: "v4.local." + vector2.token.dropFirst(10))
        }
        #expect(throws: PASETOError.self) { try PASETOv4Public.unverifiedFooter(of: vector2.token + "=") }
        #expect(throws: PASETOError.self) { try PASETOv4Public.unverifiedFooter(of: "") }
    }

    @Test("error descriptions do not quote the token")
    func errorsDoNotQuoteToken() {
        let error = #expect(throws: PASETOError.self) {
            try PASETOv4Public.verify(vector2.token, using: key, implicitAssertion: [1])
        }
        let description = error.map { "\($0)" } ?? ""
        #expect(description.hasPrefix("PASETOError.invalidSignature: "))
        #expect(!description.contains("eyJ"))
        #expect(!description.contains("\n"))
    }
}

extension String {
    /// This string with the character at UTF-8 offset `offset` (an ASCII position) replaced.
    fileprivate func replacingCharacter(at offset: Int, with replacement: String) -> String {
        let bytes = Array(utf8)
        return String(decoding: bytes[..<offset] + Array(replacement.utf8) + bytes[(offset + 1)...], as: UTF8.self)
    }
}
