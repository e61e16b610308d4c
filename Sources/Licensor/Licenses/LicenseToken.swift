/// Signs license tokens: PASETO v4.public with a footer naming the key id. Verifying is `LicenseVerifier`'s
/// (LicensorVerifier), the same code a seller's app runs.
package enum LicenseToken {
    /// Signs claims with the private key; the payload carries `typ: licensor.license.v1`, the footer `{"kid":"…"}`.
    package static func sign(_ claims: LicenseClaims, with key: Ed25519PrivateKey) throws -> String {
        try PASETOv4Public.sign(
            payload: Array(claims.json.serialized().utf8), footer: footer(for: key), using: key)
    }

    /// The footer every licensor token carries: the signing key's id, so a verifier trusting several keys picks one.
    package static func footer(for key: Ed25519PrivateKey) -> [UInt8] {
        Array(JSONValue.object([("kid", .string(key.publicKey.keyID))]).serialized().utf8)
    }

    /// The claims of a token licensor itself stored, read without checking the signature (for re-signing).
    package static func unverifiedClaims(of token: String) throws -> LicenseClaims {
        let parts = try PASETOv4Public.parse(token)
        return try LicenseClaims(json: try JSONParser.parse(Array(parts.body.dropLast(PASETOv4Public.signatureLength))))
    }
}

/// Signs lease tokens (the short-lived, machine-bound tokens of the app-facing API); docs/TOKENS.md has the format.
package enum LeaseToken {
    /// Signs `claims` for the machine whose fingerprint is `fingerprint`: the fingerprint is the implicit assertion
    /// (never sent, so a copied token fails on another machine) and its short commitment is the `fp` claim.
    package static func sign(_ claims: LeaseClaims, fingerprint: String, with key: Ed25519PrivateKey) throws -> String {
        let assertion = Array(fingerprint.utf8)
        return try PASETOv4Public.sign(
            payload: Array(claims.json(fingerprint: assertion).serialized().utf8),
            footer: LicenseToken.footer(for: key), implicitAssertion: assertion, using: key)
    }

    /// The lease for `license` issued at `now`: it ends `ttl` later, never past the license's own end.
    package static func claims(
        key: String, productID: String, tier: String, instanceID: String, nonce: String?, licenseExpiresAt: Timestamp?,
        now: Timestamp, ttlSeconds: Int64
    ) -> LeaseClaims {
        var expires = Timestamp(microseconds: now.microseconds + ttlSeconds * 1_000_000)
        if let licenseExpiresAt, licenseExpiresAt < expires { expires = licenseExpiresAt }
        return LeaseClaims(
            key: key, productID: productID, tier: tier, instanceID: instanceID, nonce: nonce,
            issuedAt: Timestamp(seconds: now.seconds), expiresAt: Timestamp(seconds: expires.seconds),
            licenseExpiresAt: licenseExpiresAt)
    }
}
