import CCrypto

/// An Ed25519 public key that verifies license signatures.
public struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte public key encoding (RFC 8032).
    public let rawRepresentation: [UInt8]

    /// A short identifier for this key: lowercase hex of the first 8 bytes of SHA-256 of the raw key.
    ///
    /// It names the key in token footers (`kid`) so a verifier trusting several keys can pick one.
    /// It is licensor's own identifier, not a PASERK (`k4.pid.…`), and must not be presented as one.
    public let keyID: String

    /// Creates a key from its 32-byte raw encoding.
    public init(rawRepresentation: [UInt8]) throws {
        // Building the EVP_PKEY checks the length the same way OpenSSL will when verifying.
        _ = try EVPKey.ed25519(publicKey: rawRepresentation)
        self.rawRepresentation = rawRepresentation
        self.keyID = try Self.keyID(of: rawRepresentation)
    }

    /// Parses a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), as `openssl pkey -pubout` writes it.
    public init(pemRepresentation: String) throws {
        let key = try EVPKey.readPublicPEM(pemRepresentation)
        try key.requireEd25519()
        try self.init(rawRepresentation: key.rawPublicKey())
    }

    /// The key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), ending in a newline.
    public var pemRepresentation: String {
        do {
            return try EVPKey.ed25519(publicKey: rawRepresentation).publicPEM()
        } catch {
            // Only allocation can fail for a key that already passed init; Swift traps on that anyway.
            fatalError("\(error)")
        }
    }

    /// Whether `signature` is a valid Ed25519 signature by this key over exactly `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? EVPKey.ed25519(publicKey: rawRepresentation) else { return false }
        return key.verify(signature, for: message)
    }

    public var description: String { "Ed25519PublicKey(keyID: \(keyID))" }

    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawRepresentation)
    }

    private static func keyID(of raw: [UInt8]) throws -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_Digest(raw, raw.count, &digest, &length, EVP_sha256(), nil) == 1, length == 32 else {
            throw CryptoError(
                .digestFailed, "could not compute SHA-256 for the key id", openSSLError: OpenSSLErrorQueue.drain())
        }
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest.prefix(8) {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
