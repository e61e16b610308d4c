import FoundationEssentials

/// Polar signs with Standard Webhooks: `webhook-signature: v1,<base64>[ v1,<base64>…]` is the HMAC-SHA256 of
/// `webhook-id.webhook-timestamp.body`. Polar base64-encodes the secret's UTF-8 bytes before handing it to the
/// Standard Webhooks signer, so the HMAC key is the secret exactly as the dashboard shows it.
extension PolarAdapter {
    package var secretVariable: String { "POLAR_WEBHOOK_SECRET" }
    package var timestampTolerance: TimestampTolerance? {
        TimestampTolerance(variable: "POLAR_WEBHOOK_TOLERANCE", defaultSeconds: 300)
    }
    package var keptHeaders: [String] { ["webhook-id", "webhook-timestamp", "webhook-signature"] }

    package func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    {
        Self.verifyStandardWebhook(
            request, keys: SignedWebhook.keys(secrets), isFresh: { secrets.isFresh($0, now: now) },
            toleranceVariable: "POLAR_WEBHOOK_TOLERANCE")
    }

    /// The Standard Webhooks check with the HMAC keys given as bytes.
    static func verifyStandardWebhook(
        _ request: HTTPRequest, keys: [[UInt8]], isFresh: (Int64) -> Bool, toleranceVariable: String
    ) -> WebhookAuthentication {
        guard let id = request.headers["webhook-id"], !id.isEmpty else {
            return .rejected(reason: "no webhook-id header")
        }
        guard let time = request.headers["webhook-timestamp"].flatMap({ Int64($0.trimmed) }) else {
            return .rejected(reason: "no webhook-timestamp header, or not unix seconds")
        }
        let signatures = (request.headers["webhook-signature"] ?? "").split(separator: " ").compactMap {
            entry -> [UInt8]? in
            guard entry.hasPrefix("v1,"), let data = Data(base64Encoded: String(entry.dropFirst(3))) else { return nil }
            return Array(data)
        }
        guard !signatures.isEmpty else { return .rejected(reason: "no v1 signature in webhook-signature") }
        let message = Array("\(id).\(time).".utf8) + request.body
        guard SignedWebhook.anyMatches(signatures, message: message, keys: keys) else {
            return .rejected(reason: "no webhook-signature v1 matches a configured secret")
        }
        guard isFresh(time) else { return .rejected(reason: "webhook-timestamp is outside \(toleranceVariable)") }
        return .accepted
    }
}
