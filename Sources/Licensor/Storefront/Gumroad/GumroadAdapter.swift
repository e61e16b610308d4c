/// Reads Gumroad Ping and resource-subscription payloads (reference/gumroad.md §1.5–2.3).
public struct GumroadAdapter: StorefrontAdapter {
    public let source = "gumroad"

    /// Creates the adapter.
    public init() {}

    public func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        // The "Send test ping" button omits resource_name; it is a sale.
        let resource = payload["resource_name"].flatMap { $0.isEmpty ? nil : $0 } ?? "sale"
        let orderID = payload["sale_id"].flatMap { $0.isEmpty ? nil : $0 } ?? payload["subscription_id"]
        return (resource, orderID.flatMap { $0.isEmpty ? nil : $0 })
    }

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let resource = auditKeys(for: payload).eventType
        func field(_ name: String) throws(PayloadError) -> String {
            guard let value = payload[name]?.trimmed, !value.isEmpty else {
                throw PayloadError("missing required field \"\(name)\"")
            }
            return value
        }
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
    public func sale(from payload: WebhookPayload) throws(PayloadError) -> Sale {
        func required(_ name: String) throws(PayloadError) -> String {
            guard let value = payload[name]?.trimmed, !value.isEmpty else {
                throw PayloadError("missing required field \"\(name)\"")
            }
            return value
        }
        let saleID = try required("sale_id")
        let productID = try required("product_id")
        let email = try required("email")
        guard Self.looksLikeEmail(email) else { throw PayloadError("field \"email\" is not an email address") }
        var amountCents: Int?
        if let price = payload["price"]?.trimmed, !price.isEmpty {
            guard let cents = Int(price), cents >= 0 else {
                throw PayloadError("field \"price\" is not a whole number of cents: \"\(price)\"")
            }
            amountCents = cents
        }
        var quantity = 1
        if let raw = payload["quantity"]?.trimmed, !raw.isEmpty {
            guard let q = Int(raw), q >= 1 else { throw PayloadError("field \"quantity\" is not a positive number") }
            quantity = q
        }
        let fullName = payload["full_name"]?.trimmed
        return Sale(
            source: source,
            orderID: saleID,
            productID: productID,
            productName: payload["product_name"].flatMap { $0.isEmpty ? nil : $0 },
            email: email,
            name: fullName.flatMap { $0.isEmpty ? nil : $0 } ?? Self.name(fromEmail: email),
            amountCents: amountCents,
            productCurrency: payload["currency"].flatMap { $0.isEmpty ? nil : $0 },
            isTest: payload["test"] == "true",
            offerCode: payload["offer_code"].flatMap { $0.isEmpty ? nil : $0 },
            variants: payload.nested("variants").map { ($0.key, $0.value) },
            quantity: quantity,
            isGift: payload["is_gift_receiver_purchase"] == "true",
            gifterEmail: payload["gifter_email"].flatMap { $0.isEmpty ? nil : $0 },
            isRecurringCharge: payload["is_recurring_charge"] == "true",
            subscriptionID: payload["subscription_id"].flatMap { $0.isEmpty ? nil : $0 },
            retryCount: payload["retry_count"].flatMap { Int($0) } ?? 0,
            saleTimestamp: payload["sale_timestamp"].flatMap(Timestamp.init(parsing:)))
    }

    /// A readable name from an email's local part: `jane.doe+gumroad@example.com` → `Jane Doe`.
    public static func name(fromEmail email: String) -> String {
        let withoutTag = email.prefix { $0 != "@" }.prefix { $0 != "+" }
        let words = withoutTag.split { $0 == "." || $0 == "_" || $0 == "-" }.filter { !$0.isEmpty }
        let name = words.map { word in word.prefix(1).uppercased() + word.dropFirst().lowercased() }
            .joined(separator: " ")
        return name.isEmpty ? email : name
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains(where: \.isWhitespace)
    }
}
