import FoundationEssentials
import Licensor
import Testing

@Suite("Ed25519 keys over swift-crypto")
struct Ed25519KeyTests {
    let vector = PASETOTestVector.named("4-S-1")

    @Test("PEM keys round-trip to the same text")
    func pemRoundTrip() throws {
        let privateKey = try Ed25519PrivateKey(pemRepresentation: vector.secretKeyPEM)
        #expect(privateKey.pemRepresentation == vector.secretKeyPEM + "\n")
        #expect(privateKey.publicKey.pemRepresentation == vector.publicKeyPEM + "\n")
        let publicKey = try Ed25519PublicKey(pemRepresentation: vector.publicKeyPEM)
        #expect(publicKey == privateKey.publicKey)
        #expect(try Ed25519PublicKey(pemRepresentation: publicKey.pemRepresentation) == publicKey)
        let reparsed = try Ed25519PrivateKey(pemRepresentation: privateKey.pemRepresentation)
        #expect(reparsed.publicKey == privateKey.publicKey)
    }

    @Test("PEM text may sit among other lines, as in a config value")
    func pemWithSurroundingText() throws {
        let key = try Ed25519PrivateKey(pemRepresentation: "# licensor signing key\n" + vector.secretKeyPEM + "\n\n")
        #expect(key.publicKey.rawRepresentation == CryptoTestSupport.bytes(hex: vector.publicKey))
    }

    @Test("RFC 8032 test 1: known seed, public key and signature over the empty message")
    func rfc8032Test1() throws {
        let seed = CryptoTestSupport.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let key = try Ed25519PrivateKey(seed: seed)
        #expect(
            key.publicKey.rawRepresentation
                == CryptoTestSupport.bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let expected = CryptoTestSupport.bytes(
            hex: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(try key.signature(for: []) == expected)
        #expect(key.publicKey.isValidSignature(expected, for: []))
        #expect(!key.publicKey.isValidSignature(expected, for: [0]))
    }

    @Test("generated keys sign and verify, and differ from each other")
    func generatedKeys() throws {
        let first = try Ed25519PrivateKey.generate()
        let second = try Ed25519PrivateKey.generate()
        #expect(first.publicKey != second.publicKey)
        let message = Array("license".utf8)
        let signature = try first.signature(for: message)
        #expect(signature.count == 64)
        #expect(try first.signature(for: message) == signature, "Ed25519 is deterministic")
        #expect(first.publicKey.isValidSignature(signature, for: message))
        #expect(!second.publicKey.isValidSignature(signature, for: message))
        #expect(!first.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!first.publicKey.isValidSignature([], for: message))
        let reloaded = try Ed25519PrivateKey(pemRepresentation: first.pemRepresentation)
        #expect(try reloaded.signature(for: message) == signature)
    }

    @Test("the key id is the first 8 bytes of SHA-256 of the raw key, in lowercase hex")
    func keyID() throws {
        let fromPEM = try Ed25519PublicKey(pemRepresentation: vector.publicKeyPEM)
        let fromRaw = try Ed25519PublicKey(rawRepresentation: CryptoTestSupport.bytes(hex: vector.publicKey))
        let fromPrivate = try Ed25519PrivateKey(pemRepresentation: vector.secretKeyPEM).publicKey
        // python3 -c 'import hashlib; print(hashlib.sha256(bytes.fromhex("1eb9…b1a2")).hexdigest()[:16])'
        #expect(fromPEM.keyID == "8d62301156f3909e")
        #expect(fromRaw.keyID == fromPEM.keyID)
        #expect(fromPrivate.keyID == fromPEM.keyID)
        let generated = try Ed25519PrivateKey.generate().publicKey
        #expect(generated.keyID.utf8.count == 16)
        #expect(generated.keyID.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(generated.keyID != fromPEM.keyID)
    }

    @Test("public keys hash and compare by their raw bytes")
    func hashable() throws {
        let key = try Ed25519PublicKey(pemRepresentation: vector.publicKeyPEM)
        let same = try Ed25519PublicKey(rawRepresentation: CryptoTestSupport.bytes(hex: vector.publicKey))
        let keys: Set = [key, same, try Ed25519PrivateKey.generate().publicKey]
        #expect(keys.count == 2)
    }

    @Test("descriptions never show secret material")
    func descriptionsRedactSecrets() throws {
        let key = try Ed25519PrivateKey(pemRepresentation: vector.secretKeyPEM)
        for text in ["\(key)", String(reflecting: key)] {
            #expect(text == "Ed25519PrivateKey(keyID: 8d62301156f3909e)")
        }
        var dumped = ""
        dump(key, to: &dumped)
        // The seed starts b4 cb fb 43; an array dump would render those bytes as "- 180", "- 203"…
        // swift-crypto keeps it in its own wiped storage, which dump shows only as a reference.
        #expect(dumped.contains("Curve25519"))
        #expect(!dumped.contains("- 180") && !dumped.contains("- 203"), "no seed byte rendered: \(dumped)")
    }

    @Test(
        "keys of another type are rejected with a message naming the type",
        arguments: [
            ("RSA", KeyFixtures.rsaPrivateKey), ("EC", KeyFixtures.ecPrivateKey),
            ("X25519", KeyFixtures.x25519PrivateKey),
        ]
    )
    func otherPrivateKeyTypes(type: String, pem: String) {
        let error = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemRepresentation: pem) }
        #expect(error?.code == .invalidKey)
        #expect(error?.message == "not an Ed25519 key: the PEM holds a key of type \(type)")
    }

    @Test(
        "public keys of another type are rejected with a message naming the type",
        arguments: [("EC", KeyFixtures.ecPublicKey), ("ED448", KeyFixtures.ed448PublicKey)]
    )
    func otherPublicKeyTypes(type: String, pem: String) {
        let error = #expect(throws: VerificationError.self) { try Ed25519PublicKey(pemRepresentation: pem) }
        #expect(error?.code == .invalidKey)
        #expect(error?.message == "not an Ed25519 key: the PEM holds a key of type \(type)")
    }

    @Test("an RSA key made by openssl genpkey right now is rejected", .enabled(if: KeyFixtures.hasOpenSSLCommand))
    func freshRSAKeyRejected() throws {
        let result = try #require(
            CryptoTestSupport.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]))
        try #require(result.status == 0, "\(result.output)")
        let pem = String(result.output[result.output.firstRange(of: "-----BEGIN PRIVATE KEY-----")!.lowerBound...])
        let error = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemRepresentation: pem) }
        #expect(error.map { "\($0)" } == "CryptoError.invalidKey: not an Ed25519 key: the PEM holds a key of type RSA")
    }

    @Test("an encrypted private key is refused without prompting for a passphrase")
    func encryptedKeyRefused() {
        let error = #expect(throws: CryptoError.self) {
            try Ed25519PrivateKey(pemRepresentation: KeyFixtures.encryptedEd25519PrivateKey)
        }
        #expect(error?.code == .invalidKey)
        #expect(error?.message.hasPrefix("the private key is encrypted") == true)
    }

    @Test(
        "garbage is rejected as an invalid key",
        arguments: [
            "", "not a key", KeyFixtures.privatePEM(""),
            KeyFixtures.privatePEM("MC4CAQAwBQYDK2VwBCIEILTL+0PfTOIQcn2VPkpxMwf6Gbt9n4UEFDjZ4Ru"),
            KeyFixtures.privatePEM("MC4CAQAwBQYDK2VwBCIEILTL!!!fTOIQcn2VPkpxMwf6Gbt9n4UEFDjZ4RuUKjd0"),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAHrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI=\n"
                + "-----END PUBLIC KEY-----\n",
        ]
    )
    func garbagePrivateKey(text: String) {
        let error = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemRepresentation: text) }
        #expect(error?.code == .invalidKey)
        let description = error.map { "\($0)" } ?? ""
        #expect(!description.contains("\n"), "one line: \(description)")
        #expect(!description.contains("MC4CAQAwBQYDK2VwBCIEILTL"), "no key material: \(description)")
    }

    @Test("a private key PEM or garbage is not accepted as a public key")
    func garbagePublicKey() {
        for text in [vector.secretKeyPEM, "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"] {
            let error = #expect(throws: VerificationError.self) { try Ed25519PublicKey(pemRepresentation: text) }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test("raw keys and seeds must be exactly 32 bytes", arguments: [0, 31, 33, 64])
    func wrongLengths(count: Int) {
        let bytes = [UInt8](repeating: 7, count: count)
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(seed: bytes) }
        let error = #expect(throws: VerificationError.self) { try Ed25519PublicKey(rawRepresentation: bytes) }
        #expect(error?.code == .invalidKey)
    }

    @Test("keys interoperate with the openssl command", .enabled(if: KeyFixtures.hasOpenSSLCommand))
    func opensslInterop() throws {
        let directory = try CryptoTestSupport.temporaryDirectory()
        defer { CryptoTestSupport.removeDirectory(directory) }
        let keyPath = directory + "/signing-key.pem"
        let generated = try #require(
            CryptoTestSupport.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", keyPath]))
        try #require(generated.status == 0, "\(generated.output)")
        let pem = String(decoding: try Data(contentsOf: URL(filePath: keyPath)), as: UTF8.self)
        let key = try Ed25519PrivateKey(pemRepresentation: pem)
        #expect(key.pemRepresentation == pem)

        let publicKey = try #require(CryptoTestSupport.run(["openssl", "pkey", "-in", keyPath, "-pubout"]))
        #expect(publicKey.status == 0)
        #expect(publicKey.output == key.publicKey.pemRepresentation)

        // openssl verifies a signature we made, with the public key we wrote.
        let message = Array("an Ed25519 message for openssl".utf8)
        try CryptoTestSupport.write(key.publicKey.pemRepresentation, to: directory + "/public.pem")
        try CryptoTestSupport.write(bytes: message, to: directory + "/message")
        try CryptoTestSupport.write(bytes: try key.signature(for: message), to: directory + "/signature")
        let verified = try #require(
            CryptoTestSupport.run([
                "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", directory + "/public.pem", "-rawin",
                "-in", directory + "/message", "-sigfile", directory + "/signature",
            ]))
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("Signature Verified Successfully"))
    }
}

/// Keys of other types, made once with `openssl genpkey` for these tests; none protects anything.
enum KeyFixtures {
    static let hasOpenSSLCommand = CryptoTestSupport.succeeds(["openssl", "version"])

    /// A "PRIVATE KEY" PEM block around `body`.
    static func privatePEM(_ body: String) -> String {
        "-----BEGIN PRIVATE KEY-----\n" + (body.isEmpty ? "" : body + "\n") + "-----END PRIVATE KEY-----\n"
    }

    static let rsaPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIIBUwIBADANBgkqhkiG9w0BAQEFAASCAT0wggE5AgEAAkEAvNmzHJadT8CYaWHb
        6Vqi4PQyVEkd5ifbGFkR/Q5kk2IbfbZM6XjlMCr/c0ByAr9HIRhAg31AXoOt72bl
        Ig3oJQIDAQABAkAF7K55zx/QSLJ/W9qST42ckQyjKEgP2GA/O0wdLD5rgTKAZ+e/
        Uu6ak4b/nwSlELYXa0+QLnjHha8RIHrnN0hhAiEA+znCikjjXbirwPKm+AH2e+1P
        E7Ec4xs1G6h1SLSblm8CIQDAcHo3RJvDiydj9mMn0E3hGbZgL0JchD7PMBb2HXxU
        qwIgVWYvEV7xmzxZdj+GLqxMI5hp1yHP1gu7o+lB5TMv6JUCIFs8OEVBqtOPgrJa
        2vHCSVoCVbvOTBkOvbR+6TPwEMUXAiANzs+j7Y23gc7X2+8Mk2sQgWlqjlhQMEFL
        tFjbChxsRw==
        -----END PRIVATE KEY-----
        """

    static let ecPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgic+NIEqNJM9zbYT0
        5GzqSEpRzrqRkEZeoXgyRNaes02hRANCAAT7Vds1ltdTcDBMFrg3j6k17ph/HJYX
        3XiANGNskjRA45imeHqs8LvHejLibw/Tktbkm638w5ON3WPWMu49Iw7G
        -----END PRIVATE KEY-----
        """

    static let ecPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+1XbNZbXU3AwTBa4N4+pNe6YfxyW
        F914gDRjbJI0QOOYpnh6rPC7x3oy4m8P05LW5Jut/MOTjd1j1jLuPSMOxg==
        -----END PUBLIC KEY-----
        """

    static let x25519PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VuBCIEIHhReUoWge1Vdx1b33Ma3yTMNnwclQicXsWNHcDB5Kt9
        -----END PRIVATE KEY-----
        """

    static let ed448PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MEMwBQYDK2VxAzoAvSHUFODfgO20pX9biUDNbpqfzSYT/lkGiJxarOOSfclkHwvQ
        ruJrwycfH+siNBBV7Fh6OCcL+1OA
        -----END PUBLIC KEY-----
        """

    /// An Ed25519 key encrypted with the passphrase "secret".
    static let encryptedEd25519PrivateKey = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgwQ15B/1alcgICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEMgxST+SRhnx5ttFTCTcZPIEQI8B
        Zanw3Y2iXdqzcH2UO0BiwKm9Lk5F63JZ1AP+7lE5IZYnHoaDkb1vwlRSB5EHCGGq
        M/fe/x1aG8wy1RtIGBQ=
        -----END ENCRYPTED PRIVATE KEY-----
        """
}
