/// A payload the adapter could not understand, naming the field.
package struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was missing or invalid.
    package var reason: String

    /// Creates an error.
    package init(_ reason: String) { self.reason = reason }

    package var description: String { reason }
}

/// How old a signed timestamp may be before the signature is refused, and the variable that changes it.
package struct TimestampTolerance: Sendable, Equatable {
    /// The variable, e.g. `STRIPE_WEBHOOK_TOLERANCE`, in whole seconds.
    package var variable: String
    /// The storefront's documented default, in seconds.
    package var defaultSeconds: Int

    /// Creates a tolerance.
    package init(variable: String, defaultSeconds: Int) {
        self.variable = variable
        self.defaultSeconds = defaultSeconds
    }
}

/// One storefront: how its webhooks authenticate, how they are recorded and what they mean. A new storefront is a
/// new adapter in its own folder plus one line in `StorefrontRegistry`.
package protocol StorefrontAdapter: Sendable {
    /// The storefront's name: the `{source}` of `/webhooks/{source}`, stored as `licenses.source`.
    var source: String { get }
    /// The environment variable holding its webhook secrets (comma-separated), e.g. `GUMROAD_WEBHOOK_SECRET`.
    var secretVariable: String { get }
    /// The timestamp window of a timestamped signature scheme; nil when the scheme has no timestamp.
    var timestampTolerance: TimestampTolerance? { get }
    /// The request headers kept on the audit row beside the exact body: what signed it and what names it.
    var keptHeaders: [String] { get }
    /// Checks the request's secret or signature against every configured secret in constant time. It sees the
    /// exact body bytes, headers and query as received; `now` is the clock for timestamped schemes.
    func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    /// Decodes an authenticated body into fields; a failure is recorded on the audit row, not answered 400.
    func payload(from request: HTTPRequest) throws(FormDecodingError) -> WebhookPayload
    /// The audit row's `event_type` and `order_id` for a payload; never fails, so the row is always written.
    func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?)
    /// The storefront's own id of the event (the same on every retry), stored and indexed; nil when it has none.
    func deliveryID(for payload: WebhookPayload) -> String?
    /// Whether the storefront marked the delivery as test mode; nil when it does not say.
    func isTestMode(_ payload: WebhookPayload) -> Bool?
    /// Whether renewals arrive as their own events (`StorefrontEvent.renewal`) that can precede the sale, so a
    /// freshly minted license looks for them; Gumroad's renewals are whole sales.
    var reportsRenewalsApart: Bool { get }
    /// Which of the storefront's ids this payload says belong to which order (a payment to its invoice, an invoice
    /// to its subscription), so that a refund or dispute naming only a payment finds its license.
    func paymentLinks(from payload: WebhookPayload) -> [StorefrontLink]
    /// Whether the adapter ever reports links, so orders' histories follow them.
    var linksPayments: Bool { get }
    /// Reads the payload.
    func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent
    /// Fetches what a sale's payload lacks (line items, the buyer's email) from the storefront's API, when the
    /// products file cannot map it as it stands or it has no buyer.
    func completing(_ sale: Sale, catalog: ProductCatalog, api: StorefrontAPI) throws -> Sale
}

extension StorefrontAdapter {
    /// Form or JSON, as the content type says.
    package func payload(from request: HTTPRequest) throws(FormDecodingError) -> WebhookPayload {
        try WebhookPayload(body: request.body, contentType: request.headers["Content-Type"])
    }

    package var timestampTolerance: TimestampTolerance? { nil }
    package var keptHeaders: [String] { [] }
    package var reportsRenewalsApart: Bool { false }
    package func paymentLinks(from payload: WebhookPayload) -> [StorefrontLink] { [] }
    package var linksPayments: Bool { false }
    package func deliveryID(for payload: WebhookPayload) -> String? { nil }
    package func isTestMode(_ payload: WebhookPayload) -> Bool? { nil }
    package func completing(_ sale: Sale, catalog: ProductCatalog, api: StorefrontAPI) throws -> Sale { sale }

    /// Whether the audit row keeps the exact body and `keptHeaders` (every storefront that signs its body does).
    package var auditsExactBody: Bool { !keptHeaders.isEmpty }
}

/// A storefront that signs a JSON body: the body is JSON whatever the content type says.
package protocol SignedJSONStorefront: StorefrontAdapter {}

extension SignedJSONStorefront {
    package var reportsRenewalsApart: Bool { true }

    package func payload(from request: HTTPRequest) throws(FormDecodingError) -> WebhookPayload {
        try WebhookPayload(json: request.body)
    }

    /// The payload's JSON document (`payload(from:)` always makes one; a stored form row has none).
    func document(of payload: WebhookPayload) throws(PayloadError) -> JSONValue {
        guard let document = payload.document else { throw PayloadError("the body is not a JSON object") }
        return document
    }
}
