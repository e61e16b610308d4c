/// What a license is now, and the JSON shape operator commands print it in (`find --json`, `issue --json`).
extension License {
    /// `active`, `revoked` or `expired` at `now`.
    package func status(at now: Timestamp = .now()) -> String {
        if revokedAt != nil { return "revoked" }
        return expiresAt <= now ? "expired" : "active"
    }

    /// The product name its token carries (the products file's name when it was signed), if any.
    package var tokenProductName: String? {
        (try? LicenseToken.unverifiedClaims(of: token))?.productName
    }

    /// The product as an email names it: the token's product name, else the product id.
    package var productDisplayName: String {
        tokenProductName ?? productID ?? "your product"
    }

    /// The note `licensor revoke` leaves, before its reason.
    package static let operatorRevocationNote = "revoked by operator"

    /// Whether an operator revoked it (`licensor revoke`), rather than a refund or dispute: the API calls it disabled.
    package var isRevokedByOperator: Bool {
        revokedAt != nil && notes?.contains(Self.operatorRevocationNote) == true
    }

    /// Whether the storefront marked the sale as a test (the mint notes it).
    package var isTestPurchase: Bool {
        notes?.contains("test purchase") == true
    }

    /// The license as a JSON object, as `find` and the support commands print it.
    package var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("license_key", .string(key)), ("status", .string(status())), ("name", .string(name)),
            ("email", .string(email)), ("tier", .string(tier)), ("product_id", optional(productID)),
            ("source", .string(source)), ("source_order_id", optional(sourceOrderID)),
            ("issued_at", .string(issuedAt.rfc3339)), ("expires_at", .string(expiresAt.rfc3339)),
            ("revoked_at", optional(revokedAt?.rfc3339)), ("amount_paid", optional(amountPaid)),
            ("currency", optional(currency)), ("promotion", optional(promotion)), ("notes", optional(notes)),
            ("email_sent_at", optional(emailSentAt?.rfc3339)), ("email_provider", optional(emailProvider)),
            ("email_message_id", optional(emailMessageID)), ("email_error", optional(emailError)),
            ("token", .string(token)),
        ])
    }
}
