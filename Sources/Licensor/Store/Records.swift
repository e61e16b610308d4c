/// One row of the audit log (`gumroad_events` for Gumroad, `storefront_events` for the others).
package struct AuditEvent: Sendable {
    /// The row id.
    package var id: Int64
    /// The storefront it came from.
    package var source: String
    /// When the webhook arrived.
    package var receivedAt: Timestamp
    /// The storefront resource, e.g. `sale` or `refund`.
    package var eventType: String
    /// The sale or subscription id the event is about.
    package var orderID: String?
    /// The decoded form as a flat JSON object.
    package var rawPayload: String
    /// The exact body, kept when the flat JSON cannot stand for it or it was signed.
    package var rawBody: [UInt8]?
    /// The headers kept with a signed body.
    package var headers: [(name: String, value: String)] = []
    /// The storefront's own event id.
    package var deliveryID: String?
    /// Whether every step finished.
    package var processed: Bool
    /// Why the last run failed, if it did.
    package var error: String?

    /// How `licensor events` names it and `licensor replay` takes it.
    package var reference: AuditEventReference { AuditEventReference(source: source, id: id) }
}

/// A license row, with licensor's additive columns after the seed's.
package struct License: Sendable, Equatable {
    package var key: String
    package var name: String
    package var email: String
    package var tier: String
    package var issuedAt: Timestamp
    package var expiresAt: Timestamp
    /// The signed PASETO v4.public token.
    package var token: String
    /// Where the sale came from: `gumroad`, `manual`.
    package var source: String
    package var sourceOrderID: String?
    package var promotion: String?
    /// The amount in dollars with two decimals, e.g. `49.00`.
    package var amountPaid: String?
    package var currency: String?
    package var revokedAt: Timestamp?
    package var notes: String?
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    /// The storefront's product id.
    package var productID: String?
    /// The storefront's subscription id, for renewals.
    package var subscriptionID: String?
    /// When the license email was accepted by the provider.
    package var emailSentAt: Timestamp?
    /// Which email service accepted it.
    package var emailProvider: String?
    /// The provider's message id.
    package var emailMessageID: String?
    /// Why the last send failed.
    package var emailError: String?
    /// When a delivery took the right to send the email and has not yet recorded the outcome.
    package var emailClaimedAt: Timestamp?

    /// Whether this license never expires.
    package var isLifetime: Bool { expiresAt >= Timestamp.lifetime }
    /// Whether the license's email is still to be sent: not sent, not revoked.
    package var awaitsEmail: Bool { emailSentAt == nil && revokedAt == nil }
}

/// What the minting step inserts.
package struct NewLicense: Sendable {
    package var key: String
    package var name: String
    package var email: String
    package var tier: String
    package var issuedAt: Timestamp
    package var expiresAt: Timestamp
    package var token: String
    package var source: String
    package var sourceOrderID: String
    package var promotion: String?
    package var amountPaid: String?
    package var currency: String
    package var revokedAt: Timestamp?
    package var notes: String?
    package var productID: String?
    package var subscriptionID: String?

    /// Creates the values of a new license row.
    package init(
        key: String, name: String, email: String, tier: String, issuedAt: Timestamp, expiresAt: Timestamp,
        token: String, source: String, sourceOrderID: String, promotion: String? = nil, amountPaid: String? = nil,
        currency: String = "USD", revokedAt: Timestamp? = nil, notes: String? = nil, productID: String? = nil,
        subscriptionID: String? = nil
    ) {
        self.key = key
        self.name = name
        self.email = email
        self.tier = tier
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.token = token
        self.source = source
        self.sourceOrderID = sourceOrderID
        self.promotion = promotion
        self.amountPaid = amountPaid
        self.currency = currency
        self.revokedAt = revokedAt
        self.notes = notes
        self.productID = productID
        self.subscriptionID = subscriptionID
    }
}

/// Changes to one license; nil fields stay as they are.
package struct LicenseChanges: Sendable {
    package var tier: String?
    package var expiresAt: Timestamp?
    /// A re-signed token for the new values.
    package var token: String?
    /// `.some(nil)` restores a revoked license; `.some(t)` revokes it at t unless it is already revoked.
    package var revokedAt: Timestamp??
    /// A line appended to `notes`.
    package var note: String?
    /// The storefront subscription the license belongs to, once it is known (Lemon Squeezy links it late).
    package var subscriptionID: String?
    /// Forget the email send, so the email step sends the (refreshed) license again.
    package var resendEmail = false

    /// Creates a change set.
    package init(
        tier: String? = nil, expiresAt: Timestamp? = nil, token: String? = nil, revokedAt: Timestamp?? = nil,
        note: String? = nil, subscriptionID: String? = nil, resendEmail: Bool = false
    ) {
        self.subscriptionID = subscriptionID
        self.tier = tier
        self.expiresAt = expiresAt
        self.token = token
        self.revokedAt = revokedAt
        self.note = note
        self.resendEmail = resendEmail
    }
}
