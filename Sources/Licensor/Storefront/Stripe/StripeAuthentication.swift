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
        // API Gateway's payload 2.0 joins a repeated header with commas, which reads as more items here.
        let header = request.headers.values(for: "Stripe-Signature").joined(separator: ",")
        guard !header.isEmpty else { return .rejected(reason: "no Stripe-Signature header") }
        let items = SignedWebhook.pairs(header, separator: ",")
        guard let time = items.first(where: { $0.key == "t" }).flatMap({ Int64($0.value) }) else {
            return .rejected(reason: "Stripe-Signature has no t= timestamp")
        }
        let signatures = items.filter { $0.key == "v1" }.compactMap { SignedWebhook.hexBytes($0.value) }
        guard !signatures.isEmpty else { return .rejected(reason: "Stripe-Signature has no v1= signature") }
        let message = Array("\(time).".utf8) + request.body
        guard SignedWebhook.anyMatches(signatures, message: message, keys: SignedWebhook.keys(secrets)) else {
            return .rejected(reason: "no Stripe-Signature v1 matches a configured secret")
        }
        guard secrets.isFresh(time, now: now) else {
            return .rejected(reason: "Stripe-Signature timestamp is outside STRIPE_WEBHOOK_TOLERANCE")
        }
        return .accepted
    }
}
