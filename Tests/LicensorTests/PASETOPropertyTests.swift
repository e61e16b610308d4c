import Licensor
import Testing

@Suite("PASETO v4.public properties")
struct PASETOPropertyTests {
    private static func randomBytes(maximumCount: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...maximumCount, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        }
    }

    @Test("random payloads, footers and implicit assertions round-trip")
    func randomRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let payload = Self.randomBytes(maximumCount: 2048, using: &generator)
            let footer = Self.randomBytes(maximumCount: 64, using: &generator)
            let assertion = Self.randomBytes(maximumCount: 64, using: &generator)
            let token = try PASETOv4Public.sign(
                payload: payload, footer: footer, implicitAssertion: assertion, using: key)
            #expect(token.hasPrefix("v4.public."))
            #expect(token.split(separator: ".", omittingEmptySubsequences: false).count == (footer.isEmpty ? 3 : 4))
            let message = try PASETOv4Public.verify(token, using: key.publicKey, implicitAssertion: assertion)
            #expect(message == PASETOv4Public.Message(payload: payload, footer: footer))
            #expect(try PASETOv4Public.unverifiedFooter(of: token) == footer)
        }
    }

    @Test("any single-character change anywhere in a token is rejected")
    func everyPositionTampered() throws {
        let key = try Ed25519PrivateKey.generate()
        let token = try PASETOv4Public.sign(
            payload: Array(#"{"key":"ABCD-EFGH-JKLM","exp":"2027-11-29T00:00:00+00:00"}"#.utf8),
            footer: Array(#"{"kid":"\#(key.publicKey.keyID)"}"#.utf8),
            implicitAssertion: Array("licensor".utf8),
            using: key)
        let original = Array(token.utf8)
        for position in original.indices {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "B"), UInt8(ascii: "."), UInt8(ascii: "_")]
            where replacement != original[position] {
                var altered = original
                altered[position] = replacement
                let alteredToken = String(decoding: altered, as: UTF8.self)
                #expect(throws: PASETOError.self, "position \(position)") {
                    try PASETOv4Public.verify(
                        alteredToken, using: key.publicKey, implicitAssertion: Array("licensor".utf8))
                }
            }
        }
        // Removing any one character is rejected too.
        for position in original.indices {
            var altered = original
            altered.remove(at: position)
            #expect(throws: PASETOError.self, "deleted \(position)") {
                try PASETOv4Public.verify(
                    String(decoding: altered, as: UTF8.self), using: key.publicKey,
                    implicitAssertion: Array("licensor".utf8))
            }
        }
        #expect(throws: Never.self) {
            try PASETOv4Public.verify(token, using: key.publicKey, implicitAssertion: Array("licensor".utf8))
        }
    }

    @Test("signing refuses a payload whose token would exceed 64 KiB")
    func signingSizeLimit() throws {
        let key = try Ed25519PrivateKey.generate()
        let error = #expect(throws: PASETOError.self) {
            try PASETOv4Public.sign(payload: [UInt8](repeating: 0x41, count: 50_000), using: key)
        }
        #expect(error?.code == .tooLarge)
        // The largest payload that fits gives a token of exactly the limit, which verifies.
        let token = try PASETOv4Public.sign(payload: [UInt8](repeating: 0x41, count: 49_080), using: key)
        #expect(token.utf8.count == PASETOv4Public.maximumTokenLength)
        #expect(try PASETOv4Public.verify(token, using: key.publicKey).payload.count == 49_080)
        #expect(throws: PASETOError.self) {
            try PASETOv4Public.sign(payload: [UInt8](repeating: 0x41, count: 49_081), using: key)
        }
    }

    @Test("an empty payload is allowed and verifies")
    func emptyPayload() throws {
        let key = try Ed25519PrivateKey.generate()
        let token = try PASETOv4Public.sign(payload: [], using: key)
        #expect(try PASETOv4Public.verify(token, using: key.publicKey) == .init(payload: [], footer: []))
    }

    @Test("signing is safe from many tasks at once")
    func concurrentSigning() async throws {
        let key = try Ed25519PrivateKey.generate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let payload = Array("payload \(index)".utf8)
                    let token = try PASETOv4Public.sign(payload: payload, using: key)
                    let message = try PASETOv4Public.verify(token, using: key.publicKey)
                    #expect(message.payload == payload)
                }
            }
            try await group.waitForAll()
        }
    }
}
