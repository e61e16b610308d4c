import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Ed25519 public key that licensor tokens are checked against.
public struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    private let key: Curve25519.Signing.PublicKey

    /// The 32-byte public key encoding (RFC 8032).
    public let rawRepresentation: [UInt8]

    /// Names the key in token footers (`kid`): lowercase hex of the first 8 bytes of SHA-256 of the raw key.
    ///
    /// It is licensor's own identifier, kept so every token already issued still finds its key; it is not a
    /// PASERK id (`k4.pid.…`) and must not be presented as one.
    public let keyID: String

    /// Creates a key from its 32-byte raw encoding.
    public init(rawRepresentation: [UInt8]) throws(VerificationError) {
        guard rawRepresentation.count == 32 else {
            throw VerificationError(.invalidKey, "an Ed25519 public key is 32 bytes, not \(rawRepresentation.count)")
        }
        do {
            key = try Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
        } catch {
            throw VerificationError(.invalidKey, "not a valid Ed25519 public key", underlying: error)
        }
        self.rawRepresentation = rawRepresentation
        let digest = Array(SHA256.hash(data: rawRepresentation))
        keyID = Hex.encode(digest.prefix(8))
    }

    /// Parses SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), as `licensor keygen` and
    /// `openssl pkey -pubout` write it; the first such block in `pemRepresentation` is read.
    public init(pemRepresentation: String) throws(VerificationError) {
        guard let der = DER.pemBody(pemRepresentation, label: "PUBLIC KEY") else {
            throw VerificationError(
                .invalidKey, "not a readable PEM public key (expected \"-----BEGIN PUBLIC KEY-----\")")
        }
        try self.init(rawRepresentation: Self.raw(fromSPKI: der))
    }

    /// Parses a PASERK public key, `k4.public.` followed by the unpadded base64url raw key.
    public init(paserk: String) throws(VerificationError) {
        let prefix = "k4.public."
        guard paserk.hasPrefix(prefix), let raw = Base64URL.decode(paserk.dropFirst(prefix.count)) else {
            throw VerificationError(.invalidKey, "not a PASERK v4 public key (expected \"k4.public.…\")")
        }
        try self.init(rawRepresentation: raw)
    }

    /// The key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), ending in a newline.
    public var pemRepresentation: String {
        DER.pem(Self.spkiPrefix + rawRepresentation, label: "PUBLIC KEY")
    }

    /// The key as PASERK (`k4.public.…`), the form other PASETO libraries read.
    public var paserk: String { "k4.public." + Base64URL.encode(rawRepresentation) }

    /// `Ed25519PublicKey(keyID: …)`.
    public var description: String { "Ed25519PublicKey(keyID: \(keyID))" }

    /// Keys are equal when their raw encodings are.
    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    /// Hashes the raw encoding.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawRepresentation)
    }

    /// Whether `signature` is a valid Ed25519 signature by this key over exactly `message`.
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature.count == 64 && key.isValidSignature(signature, for: message)
    }

    /// The DER of an Ed25519 SubjectPublicKeyInfo up to the key (RFC 8410 §4): the 32 raw bytes follow it.
    package static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// The raw key inside an SPKI, naming the algorithm when it is not Ed25519.
    private static func raw(fromSPKI der: [UInt8]) throws(VerificationError) -> [UInt8] {
        var outer = DER(der[...])
        guard let info = outer.next(), info.tag == 0x30, outer.isAtEnd else {
            throw VerificationError(.invalidKey, "the PEM public key is not a DER SubjectPublicKeyInfo")
        }
        var fields = DER(info.value)
        guard let algorithm = fields.next(), algorithm.tag == 0x30, let bits = fields.next(), bits.tag == 0x03,
            fields.isAtEnd
        else { throw VerificationError(.invalidKey, "the PEM public key is not a DER SubjectPublicKeyInfo") }
        var identifier = DER(algorithm.value)
        guard let oid = identifier.next(), oid.tag == 0x06 else {
            throw VerificationError(.invalidKey, "the PEM public key has no algorithm identifier")
        }
        guard Array(oid.value) == DER.ed25519OID, identifier.isAtEnd else {
            throw VerificationError(
                .invalidKey, "not an Ed25519 key: the PEM holds a key of type \(DER.algorithmName(oid: oid.value))")
        }
        guard bits.value.count == 33, bits.value.first == 0 else {
            throw VerificationError(.invalidKey, "an Ed25519 public key is 32 bytes")
        }
        return Array(bits.value.dropFirst())
    }
}
