import Licensor
import Testing

/// Checks our tokens with an independent implementation (Python's pyseto), when it is installed.
@Suite("PASETO tokens verify with pyseto", .enabled(if: Pyseto.isAvailable))
struct PysetoInteropTests {

    private func pyseto(_ token: String, key: Ed25519PublicKey, implicitAssertion: String? = nil) throws
        -> CryptoTestSupport.ProcessResult
    {
        let directory = try CryptoTestSupport.temporaryDirectory()
        defer { CryptoTestSupport.removeDirectory(directory) }
        try CryptoTestSupport.write(key.pemRepresentation, to: directory + "/public.pem")
        let arguments =
            ["python3", Pyseto.script, directory + "/public.pem", token] + (implicitAssertion.map { [$0] } ?? [])
        return try #require(CryptoTestSupport.run(arguments))
    }

    @Test("a license-like token we signed verifies, with footer and implicit assertion")
    func verifiesOurToken() throws {
        let key = try Ed25519PrivateKey.generate()
        let payload =
            #"{"key":"7KQ3-M9XD-WF2H-R8TP","product":"app","email":"buyer@example.com","#
            + #""iat":"2026-01-01T00:00:00+00:00"}"#
        let footer = #"{"kid":"\#(key.publicKey.keyID)"}"#
        let token = try PASETOv4Public.sign(
            payload: Array(payload.utf8), footer: Array(footer.utf8), implicitAssertion: Array("licensor".utf8),
            using: key)
        let result = try pyseto(token, key: key.publicKey, implicitAssertion: "licensor")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == payload)

        let plain = try PASETOv4Public.sign(payload: Array(payload.utf8), using: key)
        let plainResult = try pyseto(plain, key: key.publicKey)
        #expect(plainResult.status == 0, "\(plainResult.output)")
        #expect(plainResult.output == payload)
    }

    @Test("pyseto rejects our token under another key or implicit assertion")
    func rejectsWrongKey() throws {
        let key = try Ed25519PrivateKey.generate()
        let token = try PASETOv4Public.sign(payload: Array("{}".utf8), implicitAssertion: Array("a".utf8), using: key)
        #expect(try pyseto(token, key: Ed25519PrivateKey.generate().publicKey, implicitAssertion: "a").status == 1)
        #expect(try pyseto(token, key: key.publicKey, implicitAssertion: "b").status == 1)
        #expect(try pyseto(token, key: key.publicKey, implicitAssertion: "a").status == 0)
    }
}

/// Where the pyseto check script lives and whether Python can import pyseto here.
enum Pyseto {
    static let isAvailable = CryptoTestSupport.succeeds(["python3", "-c", "import pyseto"])
    static let script = CryptoTestSupport.testsDirectory + "/Scripts/verify_paseto.py"
}
