/// The claims inside a license token: what a seller's app reads after verifying it offline.
public struct LicenseClaims: Sendable, Equatable {
    /// Who issued the token.
    public var issuer: String
    /// The license key (`sub`).
    public var key: String
    public var productID: String
    public var productName: String?
    public var tier: String
    public var name: String
    public var email: String
    public var issuedAt: Timestamp
    /// Nil for a lifetime license, which carries no `exp`.
    public var expiresAt: Timestamp?

    /// Creates claims.
    public init(
        issuer: String = "licensor", key: String, productID: String, productName: String?, tier: String,
        name: String, email: String, issuedAt: Timestamp, expiresAt: Timestamp?
    ) {
        self.issuer = issuer
        self.key = key
        self.productID = productID
        self.productName = productName
        self.tier = tier
        self.name = name
        self.email = email
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// The JSON payload, in a fixed key order.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("sub", .string(key)), ("product", .string(productID)),
        ]
        if let productName { members.append(("product_name", .string(productName))) }
        members += [
            ("tier", .string(tier)), ("name", .string(name)), ("email", .string(email)),
            ("iat", .string(issuedAt.rfc3339)),
        ]
        if let expiresAt { members.append(("exp", .string(expiresAt.rfc3339))) }
        return .object(members)
    }

    /// Reads claims from a verified payload.
    public init(json: JSONValue) throws(PayloadError) {
        func string(_ key: String) throws(PayloadError) -> String {
            guard let value = json[key]?.stringValue else { throw PayloadError("token claim \"\(key)\" is missing") }
            return value
        }
        func time(_ key: String) throws(PayloadError) -> Timestamp {
            let text = try string(key)
            guard let t = Timestamp(parsing: text) else {
                throw PayloadError("token claim \"\(key)\" is not an RFC 3339 time: \(text)")
            }
            return t
        }
        issuer = try string("iss")
        key = try string("sub")
        productID = try string("product")
        productName = json["product_name"]?.stringValue
        tier = try string("tier")
        name = try string("name")
        email = try string("email")
        issuedAt = try time("iat")
        expiresAt = json["exp"] == nil ? nil : try time("exp")
    }
}

/// Signs and verifies license tokens: PASETO v4.public with a footer naming the key id.
public enum LicenseToken {
    /// Signs claims with the private key; the footer is `{"kid":"…"}`.
    public static func sign(_ claims: LicenseClaims, with key: Ed25519PrivateKey) throws -> String {
        let footer = JSONValue.object([("kid", .string(key.publicKey.keyID))])
        return try PASETOv4Public.sign(
            payload: Array(claims.json.serialized().utf8), footer: Array(footer.serialized().utf8), using: key)
    }

    /// The claims of a token licensor itself stored, read without checking the signature (for re-signing).
    public static func unverifiedClaims(of token: String) throws -> LicenseClaims {
        let prefix = "v4.public."
        guard token.hasPrefix(prefix),
            let body = Base64URL.decode(token.dropFirst(prefix.count).prefix { $0 != "." }), body.count > 64
        else { throw PayloadError("not a v4.public token") }
        return try LicenseClaims(json: try JSONParser.parse(Array(body.dropLast(64))))
    }

    /// Why a token was not accepted.
    public struct VerificationError: Error, Sendable, CustomStringConvertible {
        /// The one-line reason: bad signature, unknown key id, expired, malformed.
        public var reason: String

        public var description: String { reason }
    }

    /// Verifies a token against trusted public keys (chosen by the footer's `kid`) and checks expiry at `now`.
    public static func verify(
        _ token: String, trustedKeys: [Ed25519PublicKey], now: Timestamp = .now()
    ) throws(VerificationError) -> LicenseClaims {
        let footerBytes: [UInt8]
        do {
            footerBytes = try PASETOv4Public.unverifiedFooter(of: token)
        } catch {
            throw VerificationError(reason: "malformed token: \(error)")
        }
        let kid = (try? JSONParser.parse(footerBytes))?["kid"]?.stringValue
        let candidates = kid.map { id in trustedKeys.filter { $0.keyID == id } } ?? trustedKeys
        guard !candidates.isEmpty else {
            throw VerificationError(reason: "unknown key id \(kid ?? "(none)"): no trusted public key matches")
        }
        var payload: [UInt8]?
        var lastError = "bad signature"
        for key in candidates {
            do {
                payload = try PASETOv4Public.verify(token, using: key).payload
                break
            } catch {
                lastError = "\(error)"
            }
        }
        guard let payload else { throw VerificationError(reason: lastError) }
        let claims: LicenseClaims
        do {
            claims = try LicenseClaims(json: try JSONParser.parse(payload))
        } catch {
            throw VerificationError(reason: "malformed claims: \(error)")
        }
        if let exp = claims.expiresAt, exp <= now {
            throw VerificationError(reason: "expired at \(exp.rfc3339)")
        }
        return claims
    }
}
