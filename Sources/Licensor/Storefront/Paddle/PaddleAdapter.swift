/// Reads Paddle Billing events (`source = "paddle"`): completed transactions (sales and, by `origin`, renewals),
/// adjustments (refunds and chargebacks) and cancelled subscriptions. A one-time order is its transaction
/// (`txn_…`), a subscription order its subscription (`sub_…`). Transactions carry no buyer: `completing` reads the
/// customer (`GET /customers/{id}`). Sandbox and live are separate accounts, told apart by which secret signed.
package struct PaddleAdapter: SignedJSONStorefront {
    package let source = "paddle"

    /// Creates the adapter.
    package init() {}

    package func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?) {
        let document = payload.document ?? .object([])
        let type = document.text("event_type") ?? "unknown"
        let data = document.at("data") ?? .object([])
        let orderID: String? =
            if type.hasPrefix("subscription.") {
                data.text("id")
            } else if type.hasPrefix("adjustment.") {
                data.text("subscription_id") ?? data.text("transaction_id")
            } else {
                data.text("subscription_id") ?? data.text("id")
            }
        return (type, orderID)
    }

    package func deliveryID(for payload: WebhookPayload) -> String? { payload.document?.text("event_id") }

    /// The origins of a first purchase; `subscription_recurring` is a renewal, the others change a subscription.
    static let purchaseOrigins: Set<String> = ["web", "api"]

    package func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent {
        let document = try document(of: payload)
        let type = try document.identifier("event_type")
        let data = try document.object("data")
        let orderID = { () throws(PayloadError) -> String in
            guard let id = auditKeys(for: payload).orderID else {
                throw PayloadError("\(type) names no transaction or subscription")
            }
            return id
        }
        switch type {
        case "transaction.completed":
            let origin = data.text("origin") ?? ""
            if origin == "subscription_recurring" {
                return .renewal(
                    subscriptionID: try data.identifier("subscription_id"), orderID: try data.identifier("id"))
            }
            guard Self.purchaseOrigins.contains(origin) else {
                return .recordedOnly(resource: "transaction.completed (origin \(origin.isEmpty ? "missing" : origin))")
            }
            return .sale(try sale(from: data))
        case "adjustment.created", "adjustment.updated":
            let action = data.text("action") ?? ""
            let status = data.text("status") ?? ""
            switch action {
            case "refund" where status == "approved":
                let items = data.at("items")?.arrayValue ?? []
                let full =
                    data.text("type") == "full" || (!items.isEmpty && items.allSatisfy { $0.text("type") == "full" })
                return .refund(orderID: try orderID(), full: full)
            case "chargeback" where status != "rejected" && status != "reversed":
                return .dispute(orderID: try orderID())
            case "chargeback_reverse" where status != "rejected":
                return .disputeWon(orderID: try orderID())
            default:
                return .recordedOnly(resource: "\(type) (\(action) \(status))")
            }
        case "subscription.canceled":
            return .subscriptionEnded(
                subscriptionID: try data.identifier("id"), endedAt: data.time("canceled_at"), reason: "canceled")
        default:
            return .recordedOnly(resource: type)
        }
    }

    /// A completed first transaction: the products file lists its price id or product id; the amount is
    /// `details.totals.grand_total`, a string of minor units.
    func sale(from transaction: JSONValue) throws(PayloadError) -> Sale {
        guard let item = transaction.at("items")?.arrayValue?.first else {
            throw PayloadError("missing required field \"items\"")
        }
        let currency = try transaction.identifier("currency_code").uppercased()
        let subscription = try transaction.optionalIdentifier("subscription_id")
        let email = try transaction.optionalIdentifier("custom_data.email") ?? ""
        var sale = Sale(
            source: source, orderID: try transaction.requiredIdentifier("subscription_id", "id"),
            productID: try item.identifier("price.product_id"), productName: item.text("product.name"), email: email,
            name: transaction.text("custom_data.name") ?? (email.isEmpty ? "" : BuyerName.fromEmail(email)),
            amountMinorUnits: try SignedWebhook.amount(
                try transaction.integer("details.totals.grand_total"), currency: currency,
                field: "details.totals.grand_total"),
            currency: currency, productCurrency: nil, isTest: false, offerCode: transaction.text("discount_id"),
            variants: [], quantity: (try item.integer("quantity")).map { max($0, 1) } ?? 1, isGift: false,
            gifterEmail: nil, isRecurringCharge: false, subscriptionID: subscription, retryCount: 0,
            saleTimestamp: transaction.time("billed_at") ?? transaction.time("created_at"))
        if let price = try item.optionalIdentifier("price.id") { sale.alternativeProductIDs = [price] }
        sale.lookupID = try transaction.optionalIdentifier("customer_id")
        return sale
    }

    /// Reads the buyer's email and name from `GET /customers/{customer_id}` when the transaction has no email.
    package func completing(_ sale: Sale, catalog: ProductCatalog, api: StorefrontAPI) throws -> Sale {
        guard sale.email.isEmpty else { return sale }
        guard let customer = sale.lookupID else {
            throw PayloadError("transaction names no customer_id and no custom_data.email")
        }
        let answer = try api.getJSON(api.paddle, "/customers/\(try SignedWebhook.pathSegment(customer))")
        var completed = sale
        completed.email = try answer.identifier("data.email")
        completed.name = answer.text("data.name") ?? BuyerName.fromEmail(completed.email)
        return completed
    }
}
