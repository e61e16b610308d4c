/// What the audit step writes: one received webhook, before anything else happens to it.
package struct AuditRecord: Sendable {
    /// The storefront, e.g. `gumroad`; it decides which table holds the row (Gumroad's stay in `gumroad_events`).
    package var source: String
    /// The storefront's resource or event type, e.g. `sale`, `refund`.
    package var eventType: String
    /// The order or subscription the event is about.
    package var orderID: String?
    /// The decoded fields as a flat JSON object, built only by a table that keeps it (Gumroad's): every other
    /// storefront's row keeps the exact body instead.
    package var payload: JSONValue { makePayload() }
    private let makePayload: @Sendable () -> JSONValue
    /// The exact body, when the flat JSON cannot stand for it (undecodable, or a NUL in a value) or it was signed.
    package var rawBody: [UInt8]?
    /// The headers that signed and named the body (a signed storefront's row only).
    package var headers: [(name: String, value: String)]
    /// The storefront's own event id, the same on every retry.
    package var deliveryID: String?
    /// Whether the storefront marked the delivery as test mode, when it says.
    package var isTest: Bool?
    /// When the webhook arrived.
    package var receivedAt: Timestamp

    /// Creates a record.
    package init(
        source: String, eventType: String, orderID: String?, payload: @escaping @autoclosure @Sendable () -> JSONValue,
        rawBody: [UInt8]? = nil,
        headers: [(name: String, value: String)] = [], deliveryID: String? = nil, isTest: Bool? = nil,
        receivedAt: Timestamp
    ) {
        self.source = source
        self.eventType = eventType
        self.orderID = orderID
        self.makePayload = payload
        self.rawBody = rawBody
        self.headers = headers
        self.deliveryID = deliveryID
        self.isTest = isTest
        self.receivedAt = receivedAt
    }
}

/// Names one audit row: Gumroad's by their `gumroad_events` id alone (`12`), every other storefront's by source
/// and `storefront_events` id (`stripe:12`), as `licensor events` prints them and `licensor replay` takes them.
package struct AuditEventReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The storefront, which decides the table.
    package var source: String
    /// The row id within that table.
    package var id: Int64

    /// Creates a reference.
    package init(source: String, id: Int64) {
        self.source = source
        self.id = id
    }

    /// Reads `12`, `gumroad:12` or `stripe:12`; nil for anything else.
    package init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let id = Int64(parts[parts.count - 1]), id > 0 else { return nil }
        let source = parts.count == 2 ? String(parts[0]).lowercased() : "gumroad"
        guard !source.isEmpty, source.allSatisfy({ $0.isLetter && $0.isASCII }) else { return nil }
        self.init(source: source, id: id)
    }

    package var description: String { source == "gumroad" ? String(id) : "\(source):\(id)" }

    package static func < (lhs: Self, rhs: Self) -> Bool { (lhs.source, lhs.id) < (rhs.source, rhs.id) }
}

/// The audit log: every authenticated webhook, recorded first, marked when its steps finish.
///
/// Gumroad's rows stay in the seed's `gumroad_events`; every other storefront's go to `storefront_events` with
/// their exact body and signing headers, so the seed's service sees nothing new. Ids are per table
/// (`AuditEventReference`).
package protocol AuditLog: AnyObject {
    /// Inserts and commits an audit row, returning its id. The commit need not reach stable storage: until a
    /// durable commit after it, nothing has left the process and the storefront has no answer, so it retries.
    func recordEvent(_ record: AuditRecord) throws(StoreError) -> Int64
    /// Marks an audit row done (`error` nil) or failed; `durable` waits for stable storage (batch callers skip it
    /// and flush once at the end). An email the request sent is recorded in the same commit (one statement on
    /// PostgreSQL), so the request's last write is one round trip.
    func finishEvent(
        _ reference: AuditEventReference, error: String?, recordingEmail sent: SentEmail?, durable: Bool
    ) throws(StoreError)
    /// One audit row.
    func event(_ reference: AuditEventReference) throws(StoreError) -> AuditEvent?
    /// Audit rows of every storefront, newest first.
    func events(failedOnly: Bool, since: Timestamp?, limit: Int) throws(StoreError) -> [AuditEvent]
    /// One storefront's audit rows about one order or subscription, oldest first.
    func events(source: String, orderID: String) throws(StoreError) -> [AuditEvent]
    /// Records that a payment or invoice (`from`) belongs to an order (`to`); the first link recorded stands.
    func recordLinks(source: String, _ links: [StorefrontLink]) throws(StoreError)
    /// The ids linked directly to an order.
    func linkedIDs(source: String, to orderID: String) throws(StoreError) -> [String]
    /// The order an id is linked to directly, if any.
    func linkTarget(source: String, from id: String) throws(StoreError) -> String?
}

/// A storefront's statement that one of its ids belongs to another: a payment to its invoice, an invoice to its
/// subscription.
package struct StorefrontLink: Sendable, Equatable {
    package var from: String
    package var to: String

    /// Creates a link.
    package init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

extension AuditLog {
    /// Audit rows by reference, in the order given; unknown ones are left out.
    package func events(_ references: [AuditEventReference]) throws(StoreError) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for reference in references {
            if let event = try event(reference) { events.append(event) }
        }
        return events
    }

    /// A Gumroad audit row by its `gumroad_events` id.
    package func event(id: Int64) throws(StoreError) -> AuditEvent? {
        try event(AuditEventReference(source: "gumroad", id: id))
    }
}
