/// What a webhook means once its storefront adapter has read it; lifecycle decisions switch on these, never on a
/// storefront's resource names.
package enum StorefrontEvent: Sendable, Equatable {
    /// A sale to license (a first purchase or a subscription's recurring charge).
    case sale(Sale)
    /// A refund of an order; `full` is false for a partial refund, which changes nothing.
    case refund(orderID: String, full: Bool)
    /// A chargeback was opened on an order.
    case dispute(orderID: String)
    /// The seller won the chargeback.
    case disputeWon(orderID: String)
    /// A subscription's recurring payment: extends the subscription's license once per `orderID` (the renewal's
    /// own invoice or transaction), for storefronts whose renewal payload does not carry a whole sale.
    case renewal(subscriptionID: String, orderID: String)
    /// Which order a subscription was bought with, for storefronts that tell it apart from the sale (Lemon Squeezy).
    case subscriptionLinked(subscriptionID: String, orderID: String)
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
