/// Reads Lemon Squeezy events (`source = "lemonsqueezy"`), JSON:API documents named by `meta.event_name`.
///
/// A purchase arrives as a burst (`order_created`, `subscription_created`, `license_key_created`, the initial
/// `subscription_payment_success`): only `order_created` mints; `subscription_created` links the subscription to
/// its order, which is how a renewal invoice (naming only the subscription) finds the license. Lemon Squeezy is
/// the merchant of record and sends no dispute events.
package struct LemonSqueezyAdapter: SignedJSONStorefront {
    package let source = "lemonsqueezy"

    /// Creates the adapter.
    package init() {}

    func eventName(_ payload: WebhookPayload) -> String {
        payload.document?.text("meta.event_name") ?? payload.headers["X-Event-Name"] ?? "unknown"
    }

    package func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        let name = eventName(payload)
        let data = payload.document?.at("data") ?? .object([])
        let orderID: String? =
            switch data.text("type") {
            case "orders": data.text("id")
            // The link row sits in the order's history; later subscription events in the subscription's.
            case "subscriptions" where name == "subscription_created": data.text("attributes.order_id")
            case "subscriptions": data.text("id")
            case "subscription-invoices": data.text("attributes.subscription_id")
            case "license-keys": data.text("attributes.order_id")
            default: nil
            }
        return (name, orderID)
    }

    /// `meta.webhook_id` when sent; Lemon Squeezy documents no event id.
    package func deliveryID(for payload: WebhookPayload) -> String? { payload.document?.text("meta.webhook_id") }

    package func isTestMode(_ payload: WebhookPayload) -> Bool? {
        payload.document?.flag("meta.test_mode") ?? payload.document?.flag("data.attributes.test_mode")
    }

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let document = try document(of: payload)
        let name = eventName(payload)
        let data = try document.object("data")
        let attributes = data.at("attributes") ?? .object([])
        switch name {
        case "order_created":
            let status = attributes.text("status") ?? ""
            guard status == "paid" else { return .recordedOnly(resource: "order_created (\(status))") }
            return .sale(try sale(from: data, testMode: isTestMode(payload) ?? false))
        case "order_refunded":
            let full = attributes.flag("refunded") == true && attributes.text("status") == "refunded"
            return .refund(orderID: try data.identifier("id"), full: full)
        case "subscription_created":
            return .subscriptionLinked(
                subscriptionID: try data.identifier("id"), orderID: try data.identifier("attributes.order_id"))
        case "subscription_payment_success":
            guard attributes.text("billing_reason") == "renewal" else {
                return .recordedOnly(resource: "\(name) (\(attributes.text("billing_reason") ?? "no billing_reason"))")
            }
            return .renewal(
                subscriptionID: try data.identifier("attributes.subscription_id"),
                orderID: "invoice-" + (try data.identifier("id")))
        case "subscription_expired":
            return .subscriptionEnded(
                subscriptionID: try data.identifier("id"), endedAt: attributes.time("ends_at"), reason: "expired")
        case "subscription_cancelled":
            return .cancellation(
                subscriptionID: try data.identifier("id"), effectiveAt: attributes.time("ends_at"), by: nil)
        case "subscription_resumed":
            return .subscriptionRestarted(
                subscriptionID: try data.identifier("id"), restartedAt: attributes.time("updated_at"))
        default:
            return .recordedOnly(resource: name)
        }
    }

    /// A paid order: the products file lists its variant id or its product id.
    func sale(from order: JSONValue, testMode: Bool) throws(PayloadError) -> Sale {
        let attributes = order.at("attributes") ?? .object([])
        let email = try attributes.identifier("user_email")
        let currency = (attributes.text("currency") ?? "USD").uppercased()
        var sale = Sale(
            source: source, orderID: try order.identifier("id"),
            productID: try attributes.identifier("first_order_item.product_id"),
            productName: attributes.text("first_order_item.product_name"), email: email,
            name: attributes.text("user_name") ?? BuyerName.fromEmail(email),
            amountMinorUnits: try SignedWebhook.amount(
                try attributes.integer("total"), currency: currency, field: "total"),
            currency: currency, productCurrency: nil, isTest: testMode, offerCode: nil,
            // Every product has a variant; the one a seller never named is "Default".
            variants: attributes.text("first_order_item.variant_name").flatMap {
                $0 == "Default" ? nil : [Sale.Variant(category: "Variant", option: $0)]
            } ?? [],
            quantity: (try attributes.integer("first_order_item.quantity")).map { max($0, 1) } ?? 1,
            isGift: false, gifterEmail: nil, isRecurringCharge: false, subscriptionID: nil, retryCount: 0,
            saleTimestamp: attributes.time("created_at"))
        if let variant = try attributes.optionalIdentifier("first_order_item.variant_id") {
            sale.alternativeProductIDs = [variant]
        }
        return sale
    }
}
