/// The licenses table: minting, lookups and changes.
package protocol LicenseRepository: AnyObject {
    /// Inserts the license unless one exists for its (source, source_order_id); returns the stored row and
    /// whether this call created it. Race-free: two processes at once get the same row.
    func insertLicenseIfAbsent(_ license: NewLicense) throws(StoreError) -> (license: License, created: Bool)
    /// The license with this key.
    func license(key: String) throws(StoreError) -> License?
    /// The license minted for a storefront order.
    func license(source: String, orderID: String) throws(StoreError) -> License?
    /// The license minted for a storefront subscription, newest first.
    func license(source: String, subscriptionID: String) throws(StoreError) -> License?
    /// Licenses for an email address, matched case-insensitively (Unicode simple case folding, alike on both
    /// stores), newest first.
    func licenses(email: String) throws(StoreError) -> [License]
    /// Applies changes to a license and stamps `updated_at`; returns false when no such license exists.
    @discardableResult
    func update(key: String, _ changes: LicenseChanges, at: Timestamp) throws(StoreError) -> Bool
    /// Applies a renewal once: records (source, orderID) and applies `changes`, in one transaction; false when this
    /// renewal was already applied.
    func renew(
        key: String, source: String, orderID: String, changes: LicenseChanges, at: Timestamp
    ) throws(StoreError) -> Bool
}

/// An email the provider accepted, as its license's row records it.
package struct SentEmail: Sendable, Equatable {
    /// The license the email carried.
    package var key: String
    /// When the provider accepted it.
    package var at: Timestamp
    /// Which service accepted it: "postmark", "log".
    package var provider: String
    /// The provider's id for the message.
    package var messageID: String?

    /// Creates the record of an accepted send.
    package init(key: String, at: Timestamp, provider: String, messageID: String?) {
        self.key = key
        self.at = at
        self.provider = provider
        self.messageID = messageID
    }
}

/// Where an order's history is recorded (what `FulfillmentPipeline.history` reads for it), so that one statement
/// can ask whether there is any.
package struct OrderHistoryScope: Sendable, Equatable {
    /// The storefront, which decides the table.
    package var source: String
    /// The order and, for a subscription whose renewals arrive apart, the subscription; never empty.
    package private(set) var orderIDs: [String]
    /// The sale's own audit row, which is not history; nil when the sale has none (a manual license).
    package var saleEventID: Int64?
    /// Whether links to those ids count: a storefront whose refunds may name only a payment linked to the order.
    package var includesLinks: Bool

    /// Creates a scope: `subscriptionID` adds the subscription's rows when it is not the order itself.
    package init(
        source: String, orderID: String, subscriptionID: String? = nil, saleEventID: Int64?, includesLinks: Bool
    ) {
        self.source = source
        self.orderIDs = [orderID] + (subscriptionID.map { $0 == orderID ? [] : [$0] } ?? [])
        self.saleEventID = saleEventID
        self.includesLinks = includesLinks
    }
}

/// Who was emailed what: the claim that makes one delivery the sender, and the outcome.
package protocol EmailLedger: AnyObject {
    /// Takes the right to send this license's email: true for exactly one caller while no email was sent and no
    /// other caller holds a claim younger than `staleBefore`. `durable` puts the claim, and every commit before it,
    /// on stable storage first, so no email goes out for a license a power cut could lose.
    func claimEmail(key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool) throws(StoreError) -> Bool
    /// `claimEmail`, taken only when no audit row or link in `history` is recorded: one statement that claims a new
    /// license's first email and proves its order has no history to catch up on. False when either fails; the
    /// caller then reads the history and claims as usual.
    func claimEmail(
        key: String, now: Timestamp, staleBefore: Timestamp, durable: Bool,
        ifNothingRecordedIn history: OrderHistoryScope
    ) throws(StoreError) -> Bool
    /// Records an accepted send and releases the claim.
    func recordEmailSent(_ sent: SentEmail) throws(StoreError)
    /// Records a failed send and releases the claim so a replay can try again.
    func recordEmailFailed(key: String, error: String, at: Timestamp) throws(StoreError)
}

/// Schema, health and durability: what the composition root and the operator commands do to the database itself.
package protocol StoreMaintenance: AnyObject {
    /// Creates or upgrades the schema; safe to run again and from several processes at once.
    func migrate() throws(StoreError)
    /// Migrates only when the schema is missing or old and the store may do so on first use (SQLite).
    func prepareForUse() throws(StoreError)
    /// Answers whether the database is reachable.
    func ping() throws(StoreError)
    /// Prepares for many writes in a row (a replay): the store may checkpoint less often until `flush()`.
    func beginBatch() throws(StoreError)
    /// Puts every earlier commit on stable storage.
    func flush() throws(StoreError)
    /// Closes the connection.
    func close()
    /// Bounds every later statement by `deadline` (a connection kept across warm Lambda invocations).
    func bound(by deadline: Deadline)
    /// Whether the connection can serve another invocation; checked without a round trip.
    var isReusable: Bool { get }
}

/// The whole store, as the composition root opens it; each pipeline step sees only the narrow part it needs.
///
/// One implementation (`SQLLicenseStore`) serves both SQLite and PostgreSQL through `SQLDatabase`.
package typealias LicenseStore = AuditLog & LicenseRepository & EmailLedger & ActivationLedger & StoreMaintenance
