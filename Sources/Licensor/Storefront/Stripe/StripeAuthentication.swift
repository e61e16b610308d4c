/// Stripe signs `t.body` with HMAC-SHA256 under the endpoint secret (`whsec_…`, used as-is) and sends
/// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`; any `v1` may match (secret rolling), other schemes are ignored.
extension StripeAdapter {
    package var secretVariable: String { "STRIPE_WEBHOOK_SECRET" }
    package var timestampTolerance: TimestampTolerance? {
        TimestampTolerance(variable: "STRIPE_WEBHOOK_TOLERANCE", defaultSeconds: 300)
    }
    package var keptHeaders: [String] { ["Stripe-Signature"] }

    package func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    {
        SignedWebhook.verifyTimestamped(
            request, header: "Stripe-Signature", separator: ",", timeKey: "t", macKey: "v1", joiner: ".",
            secrets: secrets, now: now, toleranceVariable: "STRIPE_WEBHOOK_TOLERANCE")
    }
}
