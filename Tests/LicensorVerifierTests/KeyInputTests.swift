import Testing

@testable import LicensorVerifier

@Suite("Trusted key inputs")
struct KeyInputTests {
    /// The 4-S-1 public key of the PASETO test vectors, in three spellings.
    static let raw: [UInt8] = [
        0x1e, 0xb9, 0xdb, 0xbb, 0xbc, 0x04, 0x7c, 0x03, 0xfd, 0x70, 0x60, 0x4e, 0x00, 0x71, 0xf0, 0x98,
        0x7e, 0x16, 0xb2, 0x8b, 0x75, 0x72, 0x25, 0xc1, 0x1f, 0x00, 0x41, 0x5d, 0x0e, 0x20, 0xb1, 0xa2,
    ]
    static let pem = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAHrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI=
        -----END PUBLIC KEY-----
        """

    @Test("PEM, raw bytes and PASERK name the same key")
    func sameKey() throws {
        let fromRaw = try Ed25519PublicKey(rawRepresentation: Self.raw)
        let fromPEM = try Ed25519PublicKey(pemRepresentation: Self.pem)
        let fromPASERK = try Ed25519PublicKey(paserk: fromRaw.paserk)
        #expect(fromRaw == fromPEM && fromPEM == fromPASERK)
        #expect(fromRaw.keyID == "8d62301156f3909e")
        #expect(fromRaw.paserk == "k4.public.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI")
        #expect(fromRaw.pemRepresentation == Self.pem + "\n")
        var keys = TrustedKeys()
        try keys.add(pem: Self.pem)
        try keys.add(raw: Self.raw)
        try keys.add(paserk: fromRaw.paserk)
        #expect(keys.keys.count == 1)
        #expect(keys[keyID: "8d62301156f3909e"] == fromRaw)
    }

    @Test(
        "bad key inputs are invalidKey",
        arguments: [
            "k4.public.", "k4.secret.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI",
            "k4.public.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI=", "k3.public.AAAA",
        ])
    func badPASERK(text: String) {
        #expect(code { _ = try Ed25519PublicKey(paserk: text) } == .invalidKey)
    }

    @Test("a PEM that is not an Ed25519 SPKI is invalidKey")
    func badPEM() {
        for text in ["", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", Self.pem + "x"] {
            let found = code { _ = try Ed25519PublicKey(pemRepresentation: text) }
            #expect(found == (text.hasSuffix("x") ? nil : .invalidKey), "\(text)")
        }
    }
}
