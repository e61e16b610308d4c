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
        SignedWebhook.verifyTimestamped(
            request, header: "Paddle-Signature", separator: ";", timeKey: "ts", macKey: "h1", joiner: ":",
            secrets: secrets, now: now, toleranceVariable: "PADDLE_WEBHOOK_TOLERANCE")
    }
}
