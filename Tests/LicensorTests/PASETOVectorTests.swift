import FoundationEssentials
import Licensor
import Testing

@Suite("PASETO v4.public official test vectors")
struct PASETOVectorTests {
    @Test("the vectors file is the expected upstream file")
    func vectorsFile() {
        #expect(PASETOTestVector.file.name.contains("c51c1fed2a39a777d14e0c3f33f84a8b0b26ad28"))
        #expect(PASETOTestVector.all.map(\.name) == ["4-S-1", "4-S-2", "4-S-3"])
        #expect(PASETOTestVector.all.allSatisfy { !$0.expectFail })
    }

    @Test("signing with the PEM secret key gives exactly the vector's token", arguments: PASETOTestVector.all)
    func signWithPEMKey(vector: PASETOTestVector) throws {
        let key = try Ed25519PrivateKey(pemRepresentation: vector.secretKeyPEM)
        #expect(key.publicKey.rawRepresentation == CryptoTestSupport.bytes(hex: vector.publicKey))
        let token = try PASETOv4Public.sign(
            payload: vector.payloadBytes, footer: vector.footerBytes,
            implicitAssertion: vector.implicitAssertionBytes, using: key)
        #expect(token == vector.token)
    }

    @Test("signing with the raw seed gives exactly the vector's token", arguments: PASETOTestVector.all)
    func signWithSeed(vector: PASETOTestVector) throws {
        let key = try Ed25519PrivateKey(seed: vector.seed)
        // The second half of PASETO's 64-byte secret key is the public key.
        #expect(key.publicKey.rawRepresentation == Array(CryptoTestSupport.bytes(hex: vector.secretKey).suffix(32)))
        let token = try PASETOv4Public.sign(
            payload: vector.payloadBytes, footer: vector.footerBytes,
            implicitAssertion: vector.implicitAssertionBytes, using: key)
        #expect(token == vector.token)
    }

    @Test("the token verifies with the PEM public key", arguments: PASETOTestVector.all)
    func verifyWithPEMKey(vector: PASETOTestVector) throws {
        let key = try Ed25519PublicKey(pemRepresentation: vector.publicKeyPEM)
        let message = try PASETOv4Public.verify(
            vector.token, using: key, implicitAssertion: vector.implicitAssertionBytes)
        try expectMatches(message, vector)
    }

    @Test("the token verifies with the raw public key", arguments: PASETOTestVector.all)
    func verifyWithRawKey(vector: PASETOTestVector) throws {
        let key = try Ed25519PublicKey(rawRepresentation: CryptoTestSupport.bytes(hex: vector.publicKey))
        let message = try PASETOv4Public.verify(
            vector.token, using: key, implicitAssertion: vector.implicitAssertionBytes,
            expectedFooter: vector.footerBytes)
        try expectMatches(message, vector)
    }

    @Test("the unverified footer is the vector's footer", arguments: PASETOTestVector.all)
    func unverifiedFooter(vector: PASETOTestVector) throws {
        #expect(try PASETOv4Public.unverifiedFooter(of: vector.token) == vector.footerBytes)
    }

    private func expectMatches(_ message: PASETOv4Public.Message, _ vector: PASETOTestVector) throws {
        let claims = try JSONDecoder().decode([String: String].self, from: Data(message.payload))
        #expect(claims == vector.payload)
        #expect(message.payload == vector.payloadBytes)
        #expect(message.footer == vector.footerBytes)
    }
}
