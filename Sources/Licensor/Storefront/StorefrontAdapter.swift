/// A sale as every storefront adapter reports it.
public struct Sale: Sendable, Equatable {
    /// The storefront, e.g. `gumroad`; stored as `licenses.source`.
    public var source: String
    /// The storefront's order id (Gumroad `sale_id`); stored as `source_order_id`.
    public var orderID: String
    public var productID: String
    public var productName: String?
    /// The buyer's (for a gift, the recipient's) email.
    public var email: String
    /// The buyer's name, or one derived from the email when the storefront sent none.
    public var name: String
    /// The amount paid in US cents.
    public var amountCents: Int?
    /// The product's own currency as the storefront sent it (the amount is always USD).
    public var productCurrency: String?
    public var isTest: Bool
    public var offerCode: String?
    /// Chosen variants as (category, option), e.g. ("Tier", "Team").
    public var variants: [(category: String, option: String)]
    public var quantity: Int
    public var isGift: Bool
    public var gifterEmail: String?
    public var isRecurringCharge: Bool
    public var subscriptionID: String?
    /// Which redelivery this is (Gumroad `retry_count`), 0 for the first.
    public var retryCount: Int
    /// When the storefront recorded the sale.
    package var saleTimestamp: Timestamp?

    /// `amount_paid` as stored: dollars with two decimals.
    public var amountPaid: String? {
        amountCents.map { cents in
            let centsPart = cents % 100
            return "\(cents / 100).\(centsPart < 10 ? "0" : "")\(centsPart)"
        }
    }

    /// The human notes kept on the license: test purchase, gift, variants, quantity.
    public var notes: String? {
        var parts: [String] = []
        if isTest { parts.append("test purchase") }
        if isGift { parts.append("gift" + (gifterEmail.map { " from \($0)" } ?? "")) }
        for (category, option) in variants { parts.append("variant \(category): \(option)") }
        if quantity != 1 { parts.append("quantity \(quantity)") }
        if let currency = productCurrency, currency.uppercased() != "USD" {
            parts.append("product priced in \(currency.uppercased())")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    public static func == (lhs: Sale, rhs: Sale) -> Bool {
        lhs.source == rhs.source && lhs.orderID == rhs.orderID && lhs.productID == rhs.productID
            && lhs.productName == rhs.productName && lhs.email == rhs.email && lhs.name == rhs.name
            && lhs.amountCents == rhs.amountCents && lhs.productCurrency == rhs.productCurrency
            && lhs.isTest == rhs.isTest && lhs.offerCode == rhs.offerCode
            && lhs.variants.elementsEqual(rhs.variants) { $0 == $1 } && lhs.quantity == rhs.quantity
            && lhs.isGift == rhs.isGift && lhs.gifterEmail == rhs.gifterEmail
            && lhs.isRecurringCharge == rhs.isRecurringCharge && lhs.subscriptionID == rhs.subscriptionID
            && lhs.retryCount == rhs.retryCount && lhs.saleTimestamp == rhs.saleTimestamp
    }
}

/// What a webhook means once its storefront adapter has read it.
package enum StorefrontEvent: Sendable, Equatable {
    /// A sale to license (a first purchase or a subscription's recurring charge).
    case sale(Sale)
    /// A refund of an order; `full` is false for a partial refund, which changes nothing.
    case refund(orderID: String, full: Bool)
    /// A chargeback was opened on an order.
    case dispute(orderID: String)
    /// The seller won the chargeback.
    case disputeWon(orderID: String)
    /// A subscription's access ended.
    case subscriptionEnded(subscriptionID: String, endedAt: Timestamp?, reason: String?)
    /// A subscription was cancelled; access continues until it ends.
    case cancellation(subscriptionID: String, effectiveAt: Timestamp?, by: String?)
    /// A subscription moved to another plan (tiered memberships).
    case subscriptionUpdated(subscriptionID: String, productID: String?, newTierName: String?, change: String?)
    /// A cancelled subscription was restarted.
    case subscriptionRestarted(subscriptionID: String, restartedAt: Timestamp?)
    /// A resource licensor records and acknowledges without acting on it.
    case recordedOnly(resource: String)
}

/// A payload the adapter could not understand, naming the field.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was missing or invalid.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Turns one storefront's webhook fields into licensor's events; a new storefront is a new adapter.
package protocol StorefrontAdapter: Sendable {
    /// The storefront's name, stored as `licenses.source`.
    var source: String { get }
    /// The audit row's `event_type` and `order_id` for a payload; never fails, so the row is always written.
    func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?)
    /// Reads the payload.
    func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent
}
