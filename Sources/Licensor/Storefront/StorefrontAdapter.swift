/// A payload the adapter could not understand, naming the field.
package struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was missing or invalid.
    package var reason: String

    /// Creates an error.
    package init(_ reason: String) { self.reason = reason }

    package var description: String { reason }
}

/// One storefront: how its webhooks authenticate, how they are recorded and what they mean. A new storefront is a
/// new adapter in its own folder plus one line in `StorefrontRegistry`.
package protocol StorefrontAdapter: Sendable {
    /// The storefront's name: the `{source}` of `/webhooks/{source}`, stored as `licenses.source`.
    var source: String { get }
    /// The environment variable holding its webhook secrets (comma-separated), e.g. `GUMROAD_WEBHOOK_SECRET`.
    var secretVariable: String { get }
    /// Checks the request's secret or signature against every configured secret in constant time. It sees the
    /// exact body bytes, headers and query as received; `now` is the clock for timestamped schemes.
    func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    /// Decodes an authenticated body into fields; a failure is recorded on the audit row, not answered 400.
    func payload(from request: HTTPRequest) throws(FormDecodingError) -> WebhookPayload
    /// The audit row's `event_type` and `order_id` for a payload; never fails, so the row is always written.
    func auditKeys(for payload: WebhookPayload) -> (eventType: String, orderID: String?)
    /// Reads the payload.
    func event(from payload: WebhookPayload) throws(PayloadError) -> StorefrontEvent
}

extension StorefrontAdapter {
    /// Form or JSON, as the content type says.
    package func payload(from request: HTTPRequest) throws(FormDecodingError) -> WebhookPayload {
        try WebhookPayload(body: request.body, contentType: request.headers["Content-Type"])
    }
}
