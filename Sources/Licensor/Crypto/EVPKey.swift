import CCrypto

/// An OpenSSL EVP_PKEY owned by Swift and freed on every path; the plumbing under the Ed25519 key types.
final class EVPKey {
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The Ed25519 key whose private half is the 32-byte `seed`.
    static func ed25519(seed: UnsafeRawBufferPointer) throws -> EVPKey {
        OpenSSLLibrary.ensureInitialized()
        guard seed.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        let base = seed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard let pointer = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, base, 32) else {
            throw CryptoError(
                .invalidKey, "OpenSSL rejected the Ed25519 seed", openSSLError: OpenSSLErrorQueue.drain())
        }
        return EVPKey(pointer)
    }

    /// The Ed25519 public key with the 32-byte encoding `raw`.
    static func ed25519(publicKey raw: [UInt8]) throws -> EVPKey {
        OpenSSLLibrary.ensureInitialized()
        guard raw.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 public key is 32 bytes, not \(raw.count)")
        }
        guard let pointer = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, 32) else {
            throw CryptoError(
                .invalidKey, "OpenSSL rejected the Ed25519 public key", openSSLError: OpenSSLErrorQueue.drain())
        }
        return EVPKey(pointer)
    }

    /// A fresh Ed25519 key pair from OpenSSL's key generator.
    static func generateEd25519() throws -> EVPKey {
        OpenSSLLibrary.ensureInitialized()
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw CryptoError(
                .keyGeneration, "could not create an Ed25519 key generation context",
                openSSLError: OpenSSLErrorQueue.drain())
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pointer: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &pointer) == 1, let pointer else {
            throw CryptoError(
                .keyGeneration, "OpenSSL could not generate an Ed25519 key", openSSLError: OpenSSLErrorQueue.drain())
        }
        return EVPKey(pointer)
    }

    /// Parses the first private key in PEM text; encrypted keys are refused rather than prompting for a password.
    static func readPrivatePEM(_ text: String) throws -> EVPKey {
        OpenSSLLibrary.ensureInitialized()
        OpenSSLErrorQueue.clear()
        let pointer = try MemoryBIO.reading(Array(text.utf8)) { bio in
            // A NULL callback would make OpenSSL ask for a passphrase on the terminal.
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let pointer else {
            let openSSLError = OpenSSLErrorQueue.drain()
            if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                throw CryptoError(
                    .invalidKey, "the private key is encrypted; decrypt it first with `openssl pkey -in FILE`",
                    openSSLError: openSSLError)
            }
            throw CryptoError(
                .invalidKey,
                "not a readable unencrypted PKCS#8 PEM private key (expected \"-----BEGIN PRIVATE KEY-----\")",
                openSSLError: openSSLError)
        }
        // Decoders tried and discarded along the way may leave entries that would mislead a later report.
        OpenSSLErrorQueue.clear()
        return EVPKey(pointer)
    }

    /// Parses the first SubjectPublicKeyInfo ("PUBLIC KEY") in PEM text.
    static func readPublicPEM(_ text: String) throws -> EVPKey {
        OpenSSLLibrary.ensureInitialized()
        OpenSSLErrorQueue.clear()
        let pointer = try MemoryBIO.reading(Array(text.utf8)) { bio in
            PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let pointer else {
            throw CryptoError(
                .invalidKey, "not a readable PEM public key (expected \"-----BEGIN PUBLIC KEY-----\")",
                openSSLError: OpenSSLErrorQueue.drain())
        }
        OpenSSLErrorQueue.clear()
        return EVPKey(pointer)
    }

    /// Throws unless this is an Ed25519 key, naming the type it really is.
    func requireEd25519() throws {
        guard EVP_PKEY_get_base_id(pointer) == EVP_PKEY_ED25519 else {
            let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown type"
            throw CryptoError(.invalidKey, "not an Ed25519 key: the PEM holds a key of type \(name)")
        }
    }

    /// Writes the 32-byte private seed into `buffer`.
    func copySeed(into buffer: UnsafeMutableRawBufferPointer) throws {
        var length = buffer.count
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard EVP_PKEY_get_raw_private_key(pointer, base, &length) == 1, length == 32 else {
            throw CryptoError(
                .invalidKey, "could not read the Ed25519 seed", openSSLError: OpenSSLErrorQueue.drain())
        }
    }

    /// The 32-byte public key encoding.
    func rawPublicKey() throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(pointer, &bytes, &length) == 1, length == 32 else {
            throw CryptoError(
                .invalidKey, "could not read the Ed25519 public key", openSSLError: OpenSSLErrorQueue.drain())
        }
        return bytes
    }

    /// The private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), as `openssl genpkey` writes it.
    func privatePEM() throws -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, pointer, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError(
                .encodingFailed, "could not write the private key as PEM", openSSLError: OpenSSLErrorQueue.drain())
        }
        return bio.text
    }

    /// The public key as SubjectPublicKeyInfo PEM ("PUBLIC KEY").
    func publicPEM() throws -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_PUBKEY(bio.pointer, pointer) == 1 else {
            throw CryptoError(
                .encodingFailed, "could not write the public key as PEM", openSSLError: OpenSSLErrorQueue.drain())
        }
        return bio.text
    }

    /// An Ed25519 signature over `message` (pure EdDSA, so no separate digest).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError(
                .signingFailed, "could not allocate a signing context", openSSLError: OpenSSLErrorQueue.drain())
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, pointer) == 1 else {
            throw CryptoError(
                .signingFailed, "could not start an Ed25519 signature", openSSLError: OpenSSLErrorQueue.drain())
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let status = Self.withNonNullBytes(message) { bytes in
            EVP_DigestSign(context, &signature, &length, bytes, message.count)
        }
        guard status == 1, length == 64 else {
            throw CryptoError(
                .signingFailed, "OpenSSL could not sign the message", openSSLError: OpenSSLErrorQueue.drain())
        }
        return signature
    }

    /// Whether `signature` is a valid Ed25519 signature over `message`; errors count as invalid.
    func verify(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            // A failed verification queues errors that must not surface as the cause of a later failure.
            OpenSSLErrorQueue.clear()
        }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pointer) == 1 else { return false }
        let status = Self.withNonNullBytes(message) { bytes in
            EVP_DigestVerify(context, signature, 64, bytes, message.count)
        }
        return status == 1
    }

    /// Passes a non-NULL pointer even for an empty message, since OpenSSL's NULL checks differ by version.
    private static func withNonNullBytes<Result>(
        _ bytes: [UInt8], _ body: (UnsafePointer<UInt8>) -> Result
    ) -> Result {
        if bytes.isEmpty {
            let placeholder: UInt8 = 0
            return withUnsafePointer(to: placeholder) { body($0) }
        }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
