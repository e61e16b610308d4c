import FoundationEssentials

/// An Ed25519 signing key, held as its 32-byte seed in memory that is wiped when the key is released.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let seed: SecretBytes

    /// The public half, for verifying and for naming the key (`publicKey.keyID`).
    public let publicKey: Ed25519PublicKey

    private init(seed: SecretBytes) throws {
        let key = try seed.withUnsafeBytes { try EVPKey.ed25519(seed: $0) }
        self.seed = seed
        self.publicKey = try Ed25519PublicKey(rawRepresentation: key.rawPublicKey())
    }

    /// Parses an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as `openssl genpkey -algorithm ed25519`
    /// writes it; keys of any other type, and encrypted keys, are rejected.
    public init(pemRepresentation: String) throws {
        if var seed = Self.seed(fromPKCS8PEM: pemRepresentation) {
            defer { seed.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            try self.init(seed: SecretBytes(count: 32) { $0.copyBytes(from: seed) })
            return
        }
        let key = try EVPKey.readPrivatePEM(pemRepresentation)
        try key.requireEd25519()
        try self.init(seed: SecretBytes(count: 32) { try key.copySeed(into: $0) })
    }

    /// The DER prefix of an unencrypted PKCS#8 v1 Ed25519 key (RFC 8410 §7); the 32-byte seed follows it.
    private static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// The seed of the exact form `openssl genpkey -algorithm ed25519` writes, read without OpenSSL's decoder
    /// framework, whose set-up costs more at start-up than signing does; anything else goes to OpenSSL.
    private static func seed(fromPKCS8PEM text: String) -> [UInt8]? {
        let begin = "-----BEGIN PRIVATE KEY-----"
        guard let start = text.firstRange(of: begin),
            let end = text[start.upperBound...].firstRange(of: "-----END PRIVATE KEY-----")
        else { return nil }
        let body = text[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard body.count == 64, var der = Data(base64Encoded: String(body)).map(Array.init) else { return nil }
        defer { der.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        guard der.count == 48, der.starts(with: pkcs8Prefix) else { return nil }
        return Array(der[16...])
    }

    /// Creates the key whose RFC 8032 private key (seed) is these 32 bytes.
    ///
    /// PASETO libraries often store a 64-byte secret key: pass only its first 32 bytes.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        try self.init(seed: SecretBytes(count: 32) { $0.copyBytes(from: seed) })
    }

    /// Generates a new key with OpenSSL's key generator.
    public static func generate() throws -> Ed25519PrivateKey {
        let key = try EVPKey.generateEd25519()
        do {
            return try Ed25519PrivateKey(seed: SecretBytes(count: 32) { try key.copySeed(into: $0) })
        } catch let error as CryptoError {
            throw CryptoError(.keyGeneration, error.message, openSSLError: error.openSSLError)
        }
    }

    /// The key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), ending in a newline.
    ///
    /// This is the secret itself: write it only to a file with mode 0600, never to a log.
    public var pemRepresentation: String {
        do {
            return try seed.withUnsafeBytes { try EVPKey.ed25519(seed: $0) }.privatePEM()
        } catch {
            // Only allocation can fail for a seed that already passed init; Swift traps on that anyway.
            fatalError("\(error)")
        }
    }

    /// The 64-byte Ed25519 signature over exactly `message`; deterministic for a given key and message.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        try seed.withUnsafeBytes { try EVPKey.ed25519(seed: $0) }.sign(message)
    }

    /// Names the key by its public key id and never shows the secret.
    public var description: String { "Ed25519PrivateKey(keyID: \(publicKey.keyID))" }

    /// Same as `description`, so the secret stays out of debug output too.
    public var debugDescription: String { description }
}
