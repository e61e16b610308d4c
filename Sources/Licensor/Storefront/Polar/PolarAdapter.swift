/// Reads Polar events (`source = "polar"`): paid orders (sales and, by `billing_reason`, renewals), refunded
/// orders and revoked subscriptions. A one-time order is the order id, a subscription order its subscription id;
/// `webhook-id` is the event's id on every retry. Polar sends no dispute events.
package struct PolarAdapter: SignedJSONStorefront {
    package let source = "polar"

    /// Creates the adapter.
    package init() {}

    package func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        let document = payload.document ?? .object([])
        let type = document.text("type") ?? "unknown"
        let data = document.at("data") ?? .object([])
        let orderID =
            type.hasPrefix("subscription.") ? data.text("id") : data.text("subscription_id") ?? data.text("id")
        return (type, orderID)
    }

    package func deliveryID(for payload: WebhookPayload) -> String? { payload.headers["webhook-id"] }

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let document = try document(of: payload)
        let type = try document.identifier("type")
        let data = try document.object("data")
        switch type {
        case "order.paid":
            let reason = data.text("billing_reason") ?? "purchase"
            if reason == "subscription_cycle" {
                return .renewal(
                    subscriptionID: try data.identifier("subscription_id"), orderID: try data.identifier("id"))
            }
            guard reason == "purchase" || reason == "subscription_create" else {
                return .recordedOnly(resource: "order.paid (\(reason))")
            }
            return .sale(try sale(from: data))
        case "order.refunded":
            return .refund(
                orderID: try data.requiredIdentifier("subscription_id", "id"),
                full: data.text("status") == "refunded")
        case "subscription.revoked":
            return .subscriptionEnded(
                subscriptionID: try data.identifier("id"), endedAt: data.time("ended_at"), reason: "revoked")
        case "subscription.canceled":
            return .cancellation(
                subscriptionID: try data.identifier("id"), effectiveAt: data.time("ends_at"), by: nil)
        case "subscription.uncanceled":
            return .subscriptionRestarted(
                subscriptionID: try data.identifier("id"), restartedAt: data.time("modified_at"))
        default:
            return .recordedOnly(resource: type)
        }
    }

    /// A paid order; the products file lists its product id.
    func sale(from order: JSONValue) throws(PayloadError) -> Sale {
        let email = try order.identifier("customer.email")
        let currency = (order.text("currency") ?? "usd").uppercased()
        let subscription = try order.optionalIdentifier("subscription_id")
        return Sale(
            source: source, orderID: try order.requiredIdentifier("subscription_id", "id"),
            productID: try order.identifier("product_id"), productName: order.text("product.name"), email: email,
            name: order.text("customer.name") ?? BuyerName.fromEmail(email),
            amountMinorUnits: try SignedWebhook.amount(
                try order.integer(order.text("total_amount") == nil ? "amount" : "total_amount"), currency: currency,
                field: "total_amount"),
            currency: currency, productCurrency: nil, isTest: false, offerCode: order.text("discount_id"),
            variants: [], quantity: 1, isGift: false, gifterEmail: nil, isRecurringCharge: false,
            subscriptionID: subscription, retryCount: 0, saleTimestamp: order.time("created_at"))
    }
}
