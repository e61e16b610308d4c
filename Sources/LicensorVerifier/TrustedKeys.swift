/// The public keys an app trusts, looked up by the `kid` in a token's footer; several at once let the seller rotate
/// the signing key without invalidating licenses already issued.
public struct TrustedKeys: Sendable {
    private var byID: [String: Ed25519PublicKey] = [:]
    private var order: [Ed25519PublicKey] = []

    /// A collection holding `keys`; a key given twice is kept once.
    public init(_ keys: [Ed25519PublicKey] = []) {
        for key in keys { add(key) }
    }

    /// Adds a key; adding one that is already trusted changes nothing.
    public mutating func add(_ key: Ed25519PublicKey) {
        guard byID[key.keyID] == nil else { return }
        byID[key.keyID] = key
        order.append(key)
    }

    /// A copy with `key` added, for building a collection in one expression.
    public func adding(_ key: Ed25519PublicKey) -> TrustedKeys {
        var copy = self
        copy.add(key)
        return copy
    }

    /// Adds the key in `pem` ("-----BEGIN PUBLIC KEY-----"), as `licensor keygen` prints it.
    public mutating func add(pem: String) throws(VerificationError) {
        add(try Ed25519PublicKey(pemRepresentation: pem))
    }

    /// Adds the key whose 32-byte raw encoding is `raw`.
    public mutating func add(raw: [UInt8]) throws(VerificationError) {
        add(try Ed25519PublicKey(rawRepresentation: raw))
    }

    /// Adds the key in PASERK form (`k4.public.…`).
    public mutating func add(paserk: String) throws(VerificationError) {
        add(try Ed25519PublicKey(paserk: paserk))
    }

    /// The trusted key with this key id, if any.
    public subscript(keyID keyID: String) -> Ed25519PublicKey? { byID[keyID] }

    /// Every trusted key, in the order added.
    public var keys: [Ed25519PublicKey] { order }

    /// Whether no key is trusted (then every token is refused as `unknownKey`).
    public var isEmpty: Bool { order.isEmpty }
}
