/// Lemon Squeezy signs the body alone: `X-Signature` is the hex HMAC-SHA256 of the exact body under the signing
/// secret the seller typed. There is no timestamp, so nothing bounds a replayed delivery but the mint's uniqueness.
extension LemonSqueezyAdapter {
    package var secretVariable: String { "LEMONSQUEEZY_WEBHOOK_SECRET" }
    package var keptHeaders: [String] { ["X-Signature", "X-Event-Name"] }

    package func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    {
        guard let header = request.headers["X-Signature"]?.trimmed, !header.isEmpty else {
            return .rejected(reason: "no X-Signature header")
        }
        guard let signature = Hex.decode(header) else {
            return .rejected(reason: "X-Signature is not hex")
        }
        guard SignedWebhook.anyMatches([signature], message: request.body, keys: SignedWebhook.keys(secrets)) else {
            return .rejected(reason: "X-Signature does not match a configured secret")
        }
        return .accepted
    }
}
