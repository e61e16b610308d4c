import Crypto
import FoundationEssentials

/// An Ed25519 signing key; swift-crypto holds the secret and wipes it when the key is released.
package struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let key: Curve25519.Signing.PrivateKey

    /// The public half, for verifying and for naming the key (`publicKey.keyID`).
    package let publicKey: Ed25519PublicKey

    private init(key: Curve25519.Signing.PrivateKey) throws(CryptoError) {
        self.key = key
        do {
            publicKey = try Ed25519PublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation))
        } catch {
            throw CryptoError(.invalidKey, "the key's public half is not a valid Ed25519 key", underlying: error)
        }
    }

    /// Parses an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as `openssl genpkey -algorithm ed25519`
    /// writes it; keys of any other type, and encrypted keys, are rejected with a one-line reason.
    package init(pemRepresentation text: String) throws(CryptoError) {
        if text.containsBytes(of: "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            throw CryptoError(
                .invalidKey, "the private key is encrypted; decrypt it first with `openssl pkey -in FILE`")
        }
        guard var der = DER.pemBody(text, label: "PRIVATE KEY") else {
            throw CryptoError(
                .invalidKey,
                "not a readable unencrypted PKCS#8 PEM private key (expected \"-----BEGIN PRIVATE KEY-----\")")
        }
        defer { Self.wipe(&der) }
        var seed = try Self.seed(fromPKCS8: der)
        defer { Self.wipe(&seed) }
        try self.init(seed: seed)
    }

    /// The DER of an unencrypted PKCS#8 v1 Ed25519 key (RFC 8410 §7) up to the seed; the 32 bytes follow it.
    private static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// The seed inside a OneAsymmetricKey (RFC 5958): version, algorithm, then the key wrapped in two OCTET STRINGs;
    /// optional attributes and public key after it are allowed and ignored.
    private static func seed(fromPKCS8 der: [UInt8]) throws(CryptoError) -> [UInt8] {
        let notPKCS8 = CryptoError(.invalidKey, "the PEM private key is not DER PKCS#8")
        var outer = DER(der[...])
        guard let info = outer.next(), info.tag == 0x30, outer.isAtEnd else { throw notPKCS8 }
        var fields = DER(info.value)
        guard let version = fields.next(), version.tag == 0x02, version.value.count == 1, version.value.first! <= 1,
            let algorithm = fields.next(), algorithm.tag == 0x30, let wrapped = fields.next(), wrapped.tag == 0x04
        else { throw notPKCS8 }
        var identifier = DER(algorithm.value)
        guard let oid = identifier.next(), oid.tag == 0x06 else { throw notPKCS8 }
        guard Array(oid.value) == DER.ed25519OID, identifier.isAtEnd else {
            throw CryptoError(
                .invalidKey, "not an Ed25519 key: the PEM holds a key of type \(DER.algorithmName(oid: oid.value))")
        }
        var inner = DER(wrapped.value)
        guard let seed = inner.next(), seed.tag == 0x04, inner.isAtEnd, seed.value.count == 32 else {
            throw CryptoError(.invalidKey, "the PEM's Ed25519 private key is not a 32-byte seed")
        }
        return Array(seed.value)
    }

    /// Creates the key whose RFC 8032 private key (seed) is these 32 bytes.
    ///
    /// PASETO libraries often store a 64-byte secret key: pass only its first 32 bytes.
    package init(seed: [UInt8]) throws(CryptoError) {
        guard seed.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        do {
            try self.init(key: Curve25519.Signing.PrivateKey(rawRepresentation: seed))
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.invalidKey, "swift-crypto rejected the Ed25519 seed", underlying: error)
        }
    }

    /// Generates a new key from the system's CSPRNG.
    package static func generate() throws(CryptoError) -> Ed25519PrivateKey {
        do {
            return try Ed25519PrivateKey(key: Curve25519.Signing.PrivateKey())
        } catch {
            throw CryptoError(.keyGeneration, error.message, underlying: error)
        }
    }

    /// The key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), ending in a newline, byte for byte what
    /// `openssl genpkey -algorithm ed25519` writes.
    ///
    /// This is the secret itself: write it only to a file with mode 0600, never to a log.
    package var pemRepresentation: String {
        var der = Self.pkcs8Prefix + Array(key.rawRepresentation)
        defer { Self.wipe(&der) }
        return DER.pem(der, label: "PRIVATE KEY")
    }

    /// The 64-byte Ed25519 signature over exactly `message`; deterministic for a given key and message on Linux
    /// (BoringSSL), randomised by CryptoKit on Apple platforms; both verify alike.
    package func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        do {
            return Array(try key.signature(for: message))
        } catch {
            throw CryptoError(.signingFailed, "swift-crypto could not sign the message", underlying: error)
        }
    }

    /// Names the key by its public key id and never shows the secret.
    package var description: String { "Ed25519PrivateKey(keyID: \(publicKey.keyID))" }

    /// Same as `description`, so the secret stays out of debug output too.
    package var debugDescription: String { description }

    /// Overwrites a temporary copy of key material before it is released.
    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
    }
}
