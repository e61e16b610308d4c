#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks licensor's license and lease tokens offline, with the seller's public keys embedded in the app.
///
/// A token is accepted only when its signature verifies under a trusted key, it is of the kind asked for, it names
/// the expected issuer (and product, when one is set) and the clock is inside its validity. Every refusal is a
/// `VerificationError` whose code says which of these failed, so an app can offer "renew" for `expired` and treat
/// `badSignature` as tampering.
public struct LicenseVerifier: Sendable {
    /// The keys tokens may be signed with.
    public var trustedKeys: TrustedKeys
    /// The `iss` every accepted token must carry.
    public var issuer: String
    /// The `product` every accepted token must carry; nil accepts any product.
    public var product: String?
    /// How far in the future `iat` (or `nbf`) may lie before a token counts as not yet valid, in seconds.
    public var allowedClockSkew: Double
    /// The current time; replace it in tests, or feed it from a `ClockGuard`-checked source.
    public var now: @Sendable () -> Date {
        get {
            let clock = clock
            return { clock().date }
        }
        set { clock = { Timestamp(newValue()) } }
    }
    /// The clock at full precision: a `Date` loses microseconds in the far years a token may name.
    package var clock: @Sendable () -> Timestamp

    /// A verifier trusting `trustedKeys`, for tokens from `issuer` and, when given, for `product` only.
    public init(
        trustedKeys: TrustedKeys, issuer: String = "licensor", product: String? = nil, allowedClockSkew: Double = 300,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.trustedKeys = trustedKeys
        self.issuer = issuer
        self.product = product
        self.allowedClockSkew = allowedClockSkew
        self.clock = { Timestamp(now()) }
    }

    /// A verifier whose clock speaks `Timestamp`, for the server and tests.
    package init(trustedKeys: TrustedKeys, issuer: String = "licensor", clock: @escaping @Sendable () -> Timestamp) {
        self.init(trustedKeys: trustedKeys, issuer: issuer)
        self.clock = clock
    }

    /// Verifies a license token (the one the buyer received) and returns its claims.
    public func verify(licenseToken: String) throws(VerificationError) -> LicenseClaims {
        let json = try open(licenseToken, kind: .license, fingerprint: [])
        let claims = try LicenseClaims(json: json)
        try check(issuer: claims.issuer, product: claims.productID)
        try check(json: json, issuedAt: claims.issuedAt, expiresAt: claims.expiresAt)
        return claims
    }

    /// Verifies a lease token for the machine whose fingerprint is `fingerprint` and returns its claims.
    ///
    /// The fingerprint is the same text the app sent when it activated; a lease made for another machine is refused
    /// as `wrongMachine`.
    public func verify(leaseToken: String, fingerprint: String) throws(VerificationError) -> LeaseClaims {
        let json = try open(leaseToken, kind: .lease, fingerprint: Array(fingerprint.utf8))
        let claims = try LeaseClaims(json: json)
        // The signature already proves the machine; a commitment that disagrees is a minting bug, not to be trusted.
        guard
            json["fp"]?.stringValue
                == LeaseClaims.fingerprintCommitment(key: claims.key, fingerprint: Array(fingerprint.utf8))
        else {
            throw VerificationError(.malformed, "the lease's fp claim does not match its fingerprint")
        }
        try check(issuer: claims.issuer, product: claims.productID)
        try check(json: json, issuedAt: claims.issuedAt, expiresAt: claims.expiresAt)
        return claims
    }

    /// Parses the token, picks the key by `kid`, checks the kind and the signature, and returns the signed claims.
    private func open(_ token: String, kind: TokenKind, fingerprint: [UInt8]) throws(VerificationError) -> JSONValue {
        let parts: (body: [UInt8], footer: [UInt8])
        do {
            parts = try PASETOv4Public.parse(token)
        } catch {
            throw VerificationError(.malformed, error.message, underlying: error)
        }
        let candidates = try keys(forFooter: parts.footer)
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(parts.body.dropLast(PASETOv4Public.signatureLength)))
        } catch {
            throw VerificationError(.malformed, "the payload is not JSON: \(error)", underlying: error)
        }
        guard json.objectValue != nil else { throw VerificationError(.malformed, "the payload is not a JSON object") }
        // Read before the signature is checked, and only to refuse: a lease verified as a license would otherwise
        // fail as a bad signature (the implicit assertions differ), which would tell the app "tampered".
        let found: TokenKind
        switch json["typ"] {
        case nil: found = .license
        case .string(let text)?:
            guard let known = TokenKind(rawValue: text) else {
                throw VerificationError(
                    .wrongTokenKind, "the token's typ \"\(printable(text))\" is not a licensor kind")
            }
            found = known
        case let other?: throw VerificationError(.malformed, "claim \"typ\" is a \(other.typeName), not a string")
        }
        guard found == kind else {
            throw VerificationError(
                .wrongTokenKind, "a \(found.rawValue) token was given where a \(kind.rawValue) is expected")
        }
        for key in candidates {
            if (try? PASETOv4Public.verify(token, using: key, implicitAssertion: fingerprint)) != nil { return json }
        }
        if kind == .lease, let key = json["sub"]?.stringValue, let commitment = json["fp"]?.stringValue,
            commitment != LeaseClaims.fingerprintCommitment(key: key, fingerprint: fingerprint)
        {
            throw VerificationError(.wrongMachine, "the lease was issued to another machine")
        }
        let names = candidates.map(\.keyID).joined(separator: ", ")
        throw VerificationError(.badSignature, "the signature does not verify under trusted key \(names)")
    }

    /// The keys that may have signed a token with this footer: the one its `kid` names, or all when it names none.
    private func keys(forFooter footer: [UInt8]) throws(VerificationError) -> [Ed25519PublicKey] {
        guard !trustedKeys.isEmpty else { throw VerificationError(.unknownKey, "no public key is trusted") }
        // Tokens carry a footer since the first release; one without is tried against every key.
        guard !footer.isEmpty else { return trustedKeys.keys }
        let kid: String
        do {
            let json = try JSONParser.parse(footer)
            guard json.objectValue != nil else {
                throw VerificationError(.malformed, "the footer is not a JSON object")
            }
            guard let value = json["kid"] else { return trustedKeys.keys }
            guard let text = value.stringValue else {
                throw VerificationError(.malformed, "footer \"kid\" is a \(value.typeName), not a string")
            }
            kid = text
        } catch let error as VerificationError {
            throw error
        } catch {
            throw VerificationError(.malformed, "the footer is not JSON: \(error)", underlying: error)
        }
        guard let key = trustedKeys[keyID: kid] else {
            throw VerificationError(.unknownKey, "unknown key id \"\(printable(kid))\": no trusted public key has it")
        }
        return [key]
    }

    private func check(issuer found: String, product foundProduct: String) throws(VerificationError) {
        guard found == issuer else {
            throw VerificationError(.wrongIssuer, "issued by \"\(printable(found))\", not \"\(printable(issuer))\"")
        }
        if let product, foundProduct != product {
            throw VerificationError(
                .wrongProduct, "for product \"\(printable(foundProduct))\", not \"\(printable(product))\"")
        }
    }

    private func check(json: JSONValue, issuedAt: Timestamp, expiresAt: Timestamp?) throws(VerificationError) {
        let current = clock()
        let skew = Int64(max(0, min(allowedClockSkew, 1e9)) * 1_000_000)
        let notBefore = try ClaimReader(json).optionalTime("nbf")
        for (name, time) in [("iat", issuedAt), ("nbf", notBefore)] {
            if let time, time.microseconds > current.microseconds + skew {
                throw VerificationError(
                    .notYetValid, "\(name) \(time.rfc3339) is later than the clock (\(current.rfc3339))")
            }
        }
        if let expiresAt, expiresAt <= current {
            throw VerificationError(.expired, "expired at \(expiresAt.rfc3339)")
        }
    }
}
