/// One row of the audit log (for Gumroad, of `gumroad_events`).
public struct AuditEvent: Sendable {
    /// The row id.
    public var id: Int64
    /// The storefront it came from.
    public var source: String
    /// When the webhook arrived.
    public var receivedAt: Timestamp
    /// The storefront resource, e.g. `sale` or `refund`.
    public var eventType: String
    /// The sale or subscription id the event is about.
    public var orderID: String?
    /// The decoded form as a flat JSON object.
    public var rawPayload: String
    /// The exact body, kept when the flat JSON cannot stand for it.
    public var rawBody: [UInt8]?
    /// Whether every step finished.
    public var processed: Bool
    /// Why the last run failed, if it did.
    public var error: String?
}

/// A license row, with licensor's additive columns after the seed's.
public struct License: Sendable, Equatable {
    public var key: String
    public var name: String
    public var email: String
    public var tier: String
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp
    /// The signed PASETO v4.public token.
    public var token: String
    /// Where the sale came from: `gumroad`, `manual`.
    public var source: String
    public var sourceOrderID: String?
    public var promotion: String?
    /// The amount in dollars with two decimals, e.g. `49.00`.
    public var amountPaid: String?
    public var currency: String?
    public var revokedAt: Timestamp?
    public var notes: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// The storefront's product id.
    public var productID: String?
    /// The storefront's subscription id, for renewals.
    public var subscriptionID: String?
    /// When the license email was accepted by the provider.
    public var emailSentAt: Timestamp?
    /// Which email service accepted it.
    public var emailProvider: String?
    /// The provider's message id.
    public var emailMessageID: String?
    /// Why the last send failed.
    public var emailError: String?
    /// When a delivery took the right to send the email and has not yet recorded the outcome.
    public var emailClaimedAt: Timestamp?

    /// Whether this license never expires.
    public var isLifetime: Bool { expiresAt >= Timestamp.lifetime }
}

/// What the minting step inserts.
public struct NewLicense: Sendable {
    public var key: String
    public var name: String
    public var email: String
    public var tier: String
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp
    public var token: String
    public var source: String
    public var sourceOrderID: String
    public var promotion: String?
    public var amountPaid: String?
    public var currency: String
    public var revokedAt: Timestamp?
    public var notes: String?
    public var productID: String?
    public var subscriptionID: String?

    /// Creates the values of a new license row.
    public init(
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
public struct LicenseChanges: Sendable {
    public var tier: String?
    public var expiresAt: Timestamp?
    /// A re-signed token for the new values.
    public var token: String?
    /// `.some(nil)` restores a revoked license; `.some(t)` revokes it at t unless it is already revoked.
    public var revokedAt: Timestamp??
    /// A line appended to `notes`.
    public var note: String?
    /// Forget the email send, so the email step sends the (refreshed) license again.
    public var resendEmail = false

    /// Creates a change set.
    public init(
        tier: String? = nil, expiresAt: Timestamp? = nil, token: String? = nil, revokedAt: Timestamp?? = nil,
        note: String? = nil, resendEmail: Bool = false
    ) {
        self.tier = tier
        self.expiresAt = expiresAt
        self.token = token
        self.revokedAt = revokedAt
        self.note = note
        self.resendEmail = resendEmail
    }
}
