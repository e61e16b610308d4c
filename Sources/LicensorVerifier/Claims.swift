#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two kinds of licensor token, told apart by the `typ` claim so one is never accepted as the other.
package enum TokenKind: String, Sendable {
    /// A license token (the `blob`): who bought what, until when. Tokens minted before `typ` existed carry none.
    case license = "licensor.license.v1"
    /// A short-lived lease token bound to one machine by its fingerprint.
    case lease = "licensor.lease.v1"
}

/// What a license token says, once its signature, issuer, product and times have been checked.
public struct LicenseClaims: Sendable, Equatable {
    /// Who issued the token (`iss`), normally `licensor`.
    public var issuer: String
    /// The license key (`sub`), as the buyer received it.
    public var key: String
    /// The product id the license is for (`product`).
    public var productID: String
    /// The product's display name (`product_name`), when the storefront sent one.
    public var productName: String?
    /// The tier of the product (`tier`).
    public var tier: String
    /// The buyer's name (`name`).
    public var name: String
    /// The buyer's email address (`email`).
    public var email: String
    /// When the license was issued, as stored and signed.
    package var issuedAt: Timestamp
    /// When the license ends; nil for a lifetime license, which carries no `exp`.
    package var expiresAt: Timestamp?

    /// When the license was issued (`iat`).
    public var issued: Date { issuedAt.date }
    /// When the license ends (`exp`); nil for a lifetime license.
    public var expires: Date? { expiresAt?.date }
    /// Whether the license never expires.
    public var isLifetime: Bool { expiresAt == nil }

    /// Creates claims, as the server does before signing them.
    package init(
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

    /// The JSON payload, in a fixed key order, with `typ` so it cannot pass for a lease.
    package var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("typ", .string(TokenKind.license.rawValue)), ("sub", .string(key)),
            ("product", .string(productID)),
        ]
        if let productName { members.append(("product_name", .string(productName))) }
        members += [
            ("tier", .string(tier)), ("name", .string(name)), ("email", .string(email)),
            ("iat", .string(issuedAt.rfc3339)),
        ]
        if let expiresAt { members.append(("exp", .string(expiresAt.rfc3339))) }
        return .object(members)
    }

    /// Reads claims from a payload; only the types are checked here, not the signature or the times.
    package init(json: JSONValue) throws(VerificationError) {
        let reader = try ClaimReader(json)
        issuer = try reader.string("iss")
        key = try reader.string("sub")
        productID = try reader.string("product")
        productName = try reader.optionalString("product_name")
        tier = try reader.string("tier")
        name = try reader.string("name")
        email = try reader.string("email")
        issuedAt = try reader.time("iat")
        expiresAt = try reader.optionalTime("exp")
    }
}

/// What a lease token says: this license may run on this machine until `expires`.
public struct LeaseClaims: Sendable, Equatable {
    /// Who issued the token (`iss`), normally `licensor`.
    public var issuer: String
    /// The license key the lease belongs to (`sub`).
    public var key: String
    /// The product id (`product`).
    public var productID: String
    /// The tier of the product (`tier`).
    public var tier: String
    /// The activation this lease renews (`instance`), as the server's API names it.
    public var instanceID: String
    /// The nonce the app sent with its request (`nonce`), echoed so the app can tell a fresh answer from a replay.
    public var nonce: String?
    /// When the lease was issued.
    package var issuedAt: Timestamp
    /// When the lease ends; always set, never past the license's own end.
    package var expiresAt: Timestamp
    /// When the license itself ends; nil for a lifetime license.
    package var licenseExpiresAt: Timestamp?

    /// When the lease was issued (`iat`).
    public var issued: Date { issuedAt.date }
    /// When the lease ends (`exp`): ask the server for a new one before then.
    public var expires: Date { expiresAt.date }
    /// When the license itself ends (`lic_exp`); nil for a lifetime license.
    public var licenseExpires: Date? { licenseExpiresAt?.date }
    /// Whether the license behind the lease never expires.
    public var isLifetime: Bool { licenseExpiresAt == nil }

    /// Creates claims, as the server does before signing them.
    package init(
        issuer: String = "licensor", key: String, productID: String, tier: String, instanceID: String,
        nonce: String?, issuedAt: Timestamp, expiresAt: Timestamp, licenseExpiresAt: Timestamp?
    ) {
        self.issuer = issuer
        self.key = key
        self.productID = productID
        self.tier = tier
        self.instanceID = instanceID
        self.nonce = nonce
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.licenseExpiresAt = licenseExpiresAt
    }

    /// The JSON payload for the machine with `fingerprint`, in a fixed key order.
    package func json(fingerprint: [UInt8]) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("typ", .string(TokenKind.lease.rawValue)), ("sub", .string(key)),
            ("product", .string(productID)), ("tier", .string(tier)), ("instance", .string(instanceID)),
            ("fp", .string(Self.fingerprintCommitment(key: key, fingerprint: fingerprint))),
            ("iat", .string(issuedAt.rfc3339)), ("exp", .string(expiresAt.rfc3339)),
        ]
        if let licenseExpiresAt { members.append(("lic_exp", .string(licenseExpiresAt.rfc3339))) }
        if let nonce { members.append(("nonce", .string(nonce))) }
        return .object(members)
    }

    /// Reads claims from a payload; only the types are checked here, not the signature or the times.
    package init(json: JSONValue) throws(VerificationError) {
        let reader = try ClaimReader(json)
        issuer = try reader.string("iss")
        key = try reader.string("sub")
        productID = try reader.string("product")
        tier = try reader.string("tier")
        instanceID = try reader.string("instance")
        nonce = try reader.optionalString("nonce")
        issuedAt = try reader.time("iat")
        expiresAt = try reader.time("exp")
        licenseExpiresAt = try reader.optionalTime("lic_exp")
        _ = try reader.string("fp")
    }

    /// `fp`: base64url of the first 8 bytes of SHA-256(`licensor.lease.v1.fp` ‖ 0 ‖ key ‖ 0 ‖ fingerprint).
    ///
    /// The signature already binds the fingerprint (the implicit assertion), but a failed signature alone cannot say
    /// whether the token was altered or made for another machine. This short salted commitment lets the verifier
    /// say "another machine" without the token revealing the fingerprint.
    package static func fingerprintCommitment(key: String, fingerprint: [UInt8]) -> String {
        var input = Array("licensor.lease.v1.fp".utf8)
        input.append(0)
        input += Array(key.utf8)
        input.append(0)
        input += fingerprint
        return Base64URL.encode(Array(SHA256Digester.hash(input).prefix(8)))
    }
}

/// Typed access to the members of a claims object; a wrong type is `malformed`, never a crash.
struct ClaimReader {
    let members: JSONValue

    init(_ json: JSONValue) throws(VerificationError) {
        guard json.objectValue != nil else { throw VerificationError(.malformed, "the payload is not a JSON object") }
        members = json
    }

    func optionalString(_ name: String) throws(VerificationError) -> String? {
        guard let value = members[name] else { return nil }
        guard let text = value.stringValue else {
            throw VerificationError(.malformed, "claim \"\(name)\" is a \(value.typeName), not a string")
        }
        return text
    }

    func string(_ name: String) throws(VerificationError) -> String {
        guard let text = try optionalString(name) else {
            throw VerificationError(.malformed, "claim \"\(name)\" is missing")
        }
        return text
    }

    func optionalTime(_ name: String) throws(VerificationError) -> Timestamp? {
        guard let text = try optionalString(name) else { return nil }
        guard let time = Timestamp(rfc3339: text) else {
            throw VerificationError(.malformed, "claim \"\(name)\" is not an RFC 3339 time: \(printable(text))")
        }
        return time
    }

    func time(_ name: String) throws(VerificationError) -> Timestamp {
        guard let time = try optionalTime(name) else {
            throw VerificationError(.malformed, "claim \"\(name)\" is missing")
        }
        return time
    }
}
