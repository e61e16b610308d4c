/// One authenticated webhook as the pipeline runs it: the decoded fields, and the exact body when those fields
/// cannot stand for it (the body did not decode, or a value holds a NUL that the flat JSON column must not carry)
/// or its storefront signed it (`StorefrontAdapter.auditsExactBody`).
package struct WebhookDelivery: Sendable {
    /// The decoded fields; empty when the body did not decode.
    package var payload: WebhookPayload
    /// The exact body received, kept on the audit row when `payload` cannot reproduce it or it was signed.
    package var rawBody: [UInt8]?
    /// The headers the adapter keeps (`StorefrontAdapter.keptHeaders`), also on `payload`.
    package var headers: HTTPHeaders { payload.headers }
    /// Why the body did not decode; the parse step fails with it, so fixing the cause and replaying recovers it.
    package var decodingProblem: FormDecodingError?

    /// Decoded fields that stand for the body on their own.
    package init(payload: WebhookPayload) {
        self.payload = payload
    }

    /// Decodes an authenticated request with its storefront's adapter; never fails, so the row is always written.
    package init(request: HTTPRequest, adapter: any StorefrontAdapter) {
        let kept = HTTPHeaders(
            adapter.keptHeaders.compactMap { name in request.headers[name].map { (name: name, value: $0) } })
        do {
            payload = try adapter.payload(from: request)
            if adapter.auditsExactBody
                || payload.fields.contains(where: { $0.name.utf8.contains(0) || $0.value.utf8.contains(0) })
            {
                rawBody = request.body
            }
        } catch {
            payload = WebhookPayload(fields: [])
            rawBody = request.body
            decodingProblem = error
        }
        payload.headers = kept
    }

    /// Re-reads a stored audit row: from its exact body (and kept headers) when it kept one, else from its flat
    /// JSON.
    package init(stored event: AuditEvent, adapter: any StorefrontAdapter) throws(FormDecodingError) {
        guard let body = event.rawBody else {
            self.init(payload: try WebhookPayload(auditJSON: event.rawPayload))
            return
        }
        // Gumroad sends forms; a stored body that is a JSON object came with a JSON content type.
        let isJSON = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "{")
        var headers = HTTPHeaders(event.headers)
        headers.replaceOrAdd(
            name: "Content-Type", value: isJSON ? "application/json" : "application/x-www-form-urlencoded")
        let request = HTTPRequest(method: "POST", path: "/webhooks/\(adapter.source)", headers: headers, body: body)
        self.init(request: request, adapter: adapter)
    }

    /// The delivery id for the audit row: the storefront's own, else for a signed body its hex SHA-256 (Lemon
    /// Squeezy without `meta.webhook_id`), which a redelivery of the same bytes shares.
    package func deliveryID(using adapter: any StorefrontAdapter) -> String? {
        if let id = adapter.deliveryID(for: payload) { return id }
        guard adapter.auditsExactBody, let rawBody else { return nil }
        return Hex.encode(HMACSHA256.sha256(rawBody))
    }

    /// The flat JSON object for the audit row, with any NUL replaced (the exact text is in `rawBody`).
    package var auditJSON: JSONValue {
        guard rawBody != nil else { return payload.auditJSON }
        let cleaned = payload.fields.map { (name: Self.withoutNUL($0.name), value: Self.withoutNUL($0.value)) }
        return WebhookPayload(fields: cleaned).auditJSON
    }

    /// The audit row's `event_type` and `order_id`, with any NUL replaced like the flat JSON's: a driver cannot bind
    /// a NUL as text, and the exact value is in `rawBody`.
    package func auditKeys(using adapter: any StorefrontAdapter) -> (eventType: String, orderID: String?) {
        let keys = adapter.auditKeys(for: payload)
        return (Self.withoutNUL(keys.eventType), keys.orderID.map(Self.withoutNUL))
    }

    private static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) }) : text
    }
}
