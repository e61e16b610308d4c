/// What a license is now, and the JSON shape operator commands print it in (`find --json`, `issue --json`).
extension License {
    /// `active`, `revoked` or `expired` at `now`.
    package func status(at now: Timestamp = .now()) -> String {
        if revokedAt != nil { return "revoked" }
        return expiresAt <= now ? "expired" : "active"
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
