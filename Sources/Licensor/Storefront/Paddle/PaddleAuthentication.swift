/// Paddle Billing signs `ts:body` with HMAC-SHA256 under the endpoint secret (`pdl_ntfset_…`, used as-is) and sends
/// `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>…]`; any `h1` may match, unknown keys are ignored, and the
/// default window is Paddle's own five seconds.
extension PaddleAdapter {
    package var secretVariable: String { "PADDLE_WEBHOOK_SECRET" }
    package var timestampTolerance: TimestampTolerance? {
        TimestampTolerance(variable: "PADDLE_WEBHOOK_TOLERANCE", defaultSeconds: 5)
    }
    package var keptHeaders: [String] { ["Paddle-Signature"] }

    package func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    {
        guard let header = request.headers["Paddle-Signature"], !header.isEmpty else {
            return .rejected(reason: "no Paddle-Signature header")
        }
        let items = SignedWebhook.pairs(header, separator: ";")
        guard let time = items.first(where: { $0.key == "ts" }).flatMap({ Int64($0.value) }) else {
            return .rejected(reason: "Paddle-Signature has no ts= timestamp")
        }
        let signatures = items.filter { $0.key == "h1" }.compactMap { SignedWebhook.hexBytes($0.value) }
        guard !signatures.isEmpty else { return .rejected(reason: "Paddle-Signature has no h1= signature") }
        let message = Array("\(time):".utf8) + request.body
        guard SignedWebhook.anyMatches(signatures, message: message, keys: SignedWebhook.keys(secrets)) else {
            return .rejected(reason: "no Paddle-Signature h1 matches a configured secret")
        }
        guard secrets.isFresh(time, now: now) else {
            return .rejected(reason: "Paddle-Signature timestamp is outside PADDLE_WEBHOOK_TOLERANCE")
        }
        return .accepted
    }
}
