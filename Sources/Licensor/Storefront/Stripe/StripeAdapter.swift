/// Reads Stripe events (`source = "stripe"`): Checkout sales, subscription renewals by invoice, refunds, disputes
/// and ended subscriptions, as reference/storefronts.md §6 maps them. A one-time order is its `payment_intent`, a
/// subscription order its `subscription`; both shapes of `invoice` (before and since API 2025-03-31.basil) are read.
package struct StripeAdapter: SignedJSONStorefront {
    package let source = "stripe"

    /// Creates the adapter.
    package init() {}

    package func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        let document = payload.document ?? .object([])
        let type = document.text("type") ?? "unknown"
        return (type, Self.orderID(of: document.at("data.object") ?? .object([]), type: type))
    }

    package func deliveryID(for payload: WebhookPayload) -> String? { payload.document?.text("id") }

    package func isTestMode(_ payload: WebhookPayload) -> Bool? {
        payload.document?.flag("livemode").map { !$0 }
    }

    /// The order an object belongs to: the subscription when there is one, else the payment intent.
    static func orderID(of object: JSONValue, type: String) -> String? {
        if type.hasPrefix("customer.subscription.") { return object.text("id") }
        if type.hasPrefix("invoice.") { return subscription(ofInvoice: object) }
        return object.text("subscription") ?? object.text("payment_intent") ?? object.text("charge")
            ?? object.text("id")
    }

    /// An invoice's subscription: `parent.subscription_details.subscription` since basil, `subscription` before.
    static func subscription(ofInvoice invoice: JSONValue) -> String? {
        invoice.text("parent.subscription_details.subscription") ?? invoice.text("subscription")
    }

    package var linksPayments: Bool { true }

    /// A subscription's invoice belongs to the subscription, and so (before basil) does the payment intent that paid
    /// it; since basil `invoice_payment.paid` says which invoice a payment intent paid, and a charge (before basil)
    /// names its invoice. A refund or dispute of a renewal charge names only the payment intent: these links lead
    /// from it to the subscription's license, in whatever order the events arrive.
    package func paymentLinks(from payload: WebhookPayload) -> [StorefrontLink] {
        guard let document = payload.document, let type = document.text("type"),
            let object = document.at("data.object")
        else { return [] }
        var links: [StorefrontLink] = []
        func link(_ from: String?, _ to: String?) {
            guard let from, let to, !from.utf8.contains(0), !to.utf8.contains(0) else { return }
            links.append(StorefrontLink(from: from, to: to))
        }
        if type.hasPrefix("invoice.") {
            let subscription = Self.subscription(ofInvoice: object)
            link(object.text("id"), subscription)
            link(object.text("payment_intent"), subscription)
        } else if type.hasPrefix("invoice_payment.") {
            link(object.text("payment.payment_intent"), object.text("invoice"))
        } else if type.hasPrefix("charge."), object.text("object") == "charge" {
            link(object.text("payment_intent"), object.text("invoice"))
        }
        return links
    }

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let document = try document(of: payload)
        let type = try document.identifier("type")
        let object = try document.object("data.object")
        func order() throws(PayloadError) -> String {
            guard let id = Self.orderID(of: object, type: type) else {
                throw PayloadError("\(type) names no payment_intent or subscription")
            }
            return id
        }
        switch type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded":
            let status = object.text("payment_status") ?? ""
            // An unpaid session (a delayed method) is licensed by its async_payment_succeeded event.
            guard status == "paid" || status == "no_payment_required" else {
                return .recordedOnly(resource: "\(type) (payment \(status.isEmpty ? "status missing" : status))")
            }
            return .sale(try sale(from: object, document: document))
        case "invoice.paid":
            guard object.text("billing_reason") == "subscription_cycle" else {
                return .recordedOnly(resource: "invoice.paid (\(object.text("billing_reason") ?? "no billing_reason"))")
            }
            guard let subscription = Self.subscription(ofInvoice: object) else {
                throw PayloadError("invoice.paid for a renewal names no subscription")
            }
            return .renewal(subscriptionID: subscription, orderID: try object.identifier("id"))
        case "charge.refunded":
            return .refund(orderID: try order(), full: object.flag("refunded") == true)
        case "charge.dispute.created":
            // warning_* statuses are inquiries: no money moved yet.
            let status = object.text("status") ?? ""
            if status.hasPrefix("warning_") { return .recordedOnly(resource: "\(type) (\(status))") }
            return .dispute(orderID: try order())
        case "charge.dispute.closed":
            let status = object.text("status") ?? ""
            guard status == "won" || status == "warning_closed" else {
                return .recordedOnly(resource: "\(type) (\(status))")
            }
            return .disputeWon(orderID: try order())
        case "customer.subscription.deleted":
            return .subscriptionEnded(
                subscriptionID: try object.identifier("id"),
                endedAt: object.time("ended_at") ?? object.time("canceled_at"),
                reason: object.text("cancellation_details.reason"))
        default:
            return .recordedOnly(resource: type)
        }
    }

    /// A paid Checkout Session. Its line items are not in the payload: the products file may list the payment
    /// link, else `completing` reads the line items for their price and product ids.
    func sale(from session: JSONValue, document: JSONValue) throws(PayloadError) -> Sale {
        let sessionID = try session.identifier("id")
        let orderID =
            try session.firstIdentifier("subscription", "payment_intent") ?? sessionID
        let email = try session.firstIdentifier("customer_details.email", "customer_email") ?? ""
        let currency = (session.text("currency") ?? "usd").uppercased()
        var sale = Sale(
            source: source, orderID: orderID, productID: try session.optionalIdentifier("payment_link") ?? "",
            productName: nil, email: email,
            name: session.text("customer_details.name") ?? BuyerName.fromEmail(email),
            amountMinorUnits: try SignedWebhook.amount(
                try session.integer("amount_total"), currency: currency, field: "amount_total"),
            currency: currency, productCurrency: nil, isTest: document.flag("livemode") == false, offerCode: nil,
            variants: [], quantity: 1, isGift: false, gifterEmail: nil, isRecurringCharge: false,
            subscriptionID: try session.optionalIdentifier("subscription"), retryCount: 0,
            saleTimestamp: session.time("created"))
        if let product = try session.optionalIdentifier("metadata.licensor_product") {
            sale.alternativeProductIDs = [product]
        }
        sale.lookupID = sessionID
        return sale
    }

    /// Reads the session's line items (`GET /v1/checkout/sessions/{id}/line_items`) when the products file lists
    /// neither the payment link nor the metadata product: each item's price id, then its product id.
    package func completing(_ sale: Sale, catalog: ProductCatalog, api: StorefrontAPI) throws -> Sale {
        guard catalog.mapping(for: sale) == nil, let session = sale.lookupID else { return sale }
        let items = try api.getJSON(
            api.stripe, "/v1/checkout/sessions/\(try SignedWebhook.pathSegment(session))/line_items?limit=100")
        var completed = sale
        var prices: [String] = []
        var products: [String] = []
        for item in items["data"]?.arrayValue ?? [] {
            if let price = try item.optionalIdentifier("price.id") { prices.append(price) }
            // `price.product` is an id unless expanded.
            if let product = try item.firstIdentifier("price.product", "price.product.id") {
                products.append(product)
            }
            if completed.productName == nil { completed.productName = item.text("description") }
            if let quantity = try item.integer("quantity"), quantity > 1 { completed.quantity = quantity }
        }
        guard !prices.isEmpty || !products.isEmpty else {
            throw PayloadError("Stripe listed no line items with a price for checkout session \(session)")
        }
        completed.alternativeProductIDs += prices + products
        return completed
    }
}
