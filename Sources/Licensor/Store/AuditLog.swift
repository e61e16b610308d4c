/// What the audit step writes: one received webhook, before anything else happens to it.
package struct AuditRecord: Sendable {
    /// The storefront, e.g. `gumroad`; it decides which table holds the row (Gumroad's stay in `gumroad_events`).
    package var source: String
    /// The storefront's resource or event type, e.g. `sale`, `refund`.
    package var eventType: String
    /// The order or subscription the event is about.
    package var orderID: String?
    /// The decoded fields as a flat JSON object.
    package var payload: JSONValue
    /// The exact body, when the flat JSON cannot stand for it (undecodable, or a NUL in a value).
    package var rawBody: [UInt8]?
    /// When the webhook arrived.
    package var receivedAt: Timestamp

    /// Creates a record.
    package init(
        source: String, eventType: String, orderID: String?, payload: JSONValue, rawBody: [UInt8]? = nil,
        receivedAt: Timestamp
    ) {
        self.source = source
        self.eventType = eventType
        self.orderID = orderID
        self.payload = payload
        self.rawBody = rawBody
        self.receivedAt = receivedAt
    }
}

/// The audit log: every authenticated webhook, recorded first, marked when its steps finish.
///
/// Storefronts other than Gumroad will keep their exact body and signing headers in a table of their own, behind
/// this same protocol, so the seed's service keeps seeing only Gumroad's rows in `gumroad_events`.
package protocol AuditLog: AnyObject {
    /// Inserts and commits an audit row, returning its id. The commit need not reach stable storage: until a
    /// durable commit after it, nothing has left the process and the storefront has no answer, so it retries.
    func recordEvent(_ record: AuditRecord) throws(StoreError) -> Int64
    /// Marks an audit row done (`error` nil) or failed; `durable` waits for stable storage (batch callers skip it
    /// and flush once at the end).
    func finishEvent(id: Int64, error: String?, durable: Bool) throws(StoreError)
    /// One audit row.
    func event(id: Int64) throws(StoreError) -> AuditEvent?
    /// Audit rows newest first.
    func events(failedOnly: Bool, since: Timestamp?, limit: Int) throws(StoreError) -> [AuditEvent]
    /// One storefront's audit rows about one order or subscription, oldest first.
    func events(source: String, orderID: String) throws(StoreError) -> [AuditEvent]
    /// Audit rows by id, in the order given; unknown ids are left out.
    func events(ids: [Int64]) throws(StoreError) -> [AuditEvent]
}
