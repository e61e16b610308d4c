/// Reads Gumroad Ping and resource-subscription payloads: form fields, `price` in US cents whatever `currency` says.
package struct GumroadAdapter: StorefrontAdapter {
    package let source = "gumroad"

    /// Creates the adapter.
    package init() {}

    package func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        // The "Send test ping" button omits resource_name; it is a sale.
        let resource = payload["resource_name"].nonEmptyText ?? "sale"
        return (resource, payload["sale_id"].nonEmptyText ?? payload["subscription_id"].nonEmptyText)
    }

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let resource = auditKeys(for: payload).eventType
        func field(_ name: String) throws(PayloadError) -> String { try Self.identifier(name, in: payload) }
        func time(_ name: String) -> Timestamp? { payload[name].flatMap(Timestamp.init(parsing:)) }
        switch resource {
        case "sale": return .sale(try sale(from: payload))
        case "refund": return .refund(orderID: try field("sale_id"), full: payload["refunded"] == "true")
        case "dispute": return .dispute(orderID: try field("sale_id"))
        case "dispute_won": return .disputeWon(orderID: try field("sale_id"))
        case "subscription_ended":
            return .subscriptionEnded(
                subscriptionID: try field("subscription_id"), endedAt: time("ended_at"),
                reason: payload["ended_reason"])
        case "cancellation":
            let by =
                ["buyer", "seller", "admin"].first { payload["cancelled_by_\($0)"] == "true" }
                ?? (payload["cancelled_due_to_payment_failures"] == "true" ? "payment failures" : nil)
            return .cancellation(
                subscriptionID: try field("subscription_id"), effectiveAt: time("cancelled_at"), by: by)
        case "subscription_updated":
            return .subscriptionUpdated(
                subscriptionID: try field("subscription_id"), productID: payload["product_id"],
                newTierName: payload["new_plan[tier][name]"], change: payload["type"])
        case "subscription_restarted":
            return .subscriptionRestarted(
                subscriptionID: try field("subscription_id"), restartedAt: time("restarted_at"))
        default: return .recordedOnly(resource: resource)
        }
    }

    /// Reads a sale payload; `sale_id`, `product_id` and `email` are required.
    package func sale(from payload: WebhookPayload) throws(PayloadError) -> Sale {
        let saleID = try Self.identifier("sale_id", in: payload)
        let productID = try Self.identifier("product_id", in: payload)
        let email = try Self.identifier("email", in: payload)
        guard Self.looksLikeEmail(email) else { throw PayloadError("field \"email\" is not an email address") }
        var amountCents: Int?
        if let price = payload["price"].nonEmpty {
            guard let cents = Int(price), cents >= 0 else {
                throw PayloadError("field \"price\" is not a whole number of cents: \"\(price)\"")
            }
            // Refused here rather than rounded (SQLite) or failing on every replay (PostgreSQL) at the insert.
            guard Currency.fitsStoredAmount(minorUnits: cents, currency: "USD") else {
                throw PayloadError(
                    "field \"price\" is past what amount_paid stores (at most \(Currency.largestStoredMajorUnits).99)")
            }
            amountCents = cents
        }
        let subscriptionID = try Self.optionalIdentifier("subscription_id", in: payload)
        var quantity = 1
        if let raw = payload["quantity"].nonEmpty {
            guard let q = Int(raw), q >= 1 else { throw PayloadError("field \"quantity\" is not a positive number") }
            quantity = q
        }
        return Sale(
            source: source,
            orderID: saleID,
            productID: productID,
            productName: payload["product_name"].nonEmptyText,
            email: email,
            name: payload["full_name"].nonEmpty ?? BuyerName.fromEmail(email),
            amountMinorUnits: amountCents,
            currency: "USD",
            productCurrency: payload["currency"].nonEmptyText,
            isTest: payload["test"] == "true",
            offerCode: payload["offer_code"].nonEmptyText,
            variants: payload.nested("variants").map { Sale.Variant(category: $0.key, option: $0.value) },
            quantity: quantity,
            isGift: payload["is_gift_receiver_purchase"] == "true",
            gifterEmail: payload["gifter_email"].nonEmptyText,
            isRecurringCharge: payload["is_recurring_charge"] == "true",
            subscriptionID: subscriptionID,
            retryCount: payload["retry_count"].flatMap { Int($0) } ?? 0,
            saleTimestamp: payload["sale_timestamp"].flatMap(Timestamp.init(parsing:)))
    }

    /// A required identifier, trimmed; a NUL is refused here, before it could truncate the value in a driver or
    /// make two orders collide.
    static func identifier(_ name: String, in payload: WebhookPayload) throws(PayloadError) -> String {
        guard let value = try optionalIdentifier(name, in: payload) else {
            throw PayloadError("missing required field \"\(name)\"")
        }
        return value
    }

    /// An optional identifier, trimmed, nil when blank; a NUL is refused.
    static func optionalIdentifier(_ name: String, in payload: WebhookPayload) throws(PayloadError) -> String? {
        guard let value = payload[name].nonEmpty else { return nil }
        guard !value.utf8.contains(0) else { throw PayloadError("field \"\(name)\" contains a NUL character") }
        return value
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(where: \.isWhitespace)
    }
}
