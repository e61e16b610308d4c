/// Gumroad signs nothing: the seller puts a secret in the ping URL's query (`?secret=S`).
extension GumroadAdapter {
    package var secretVariable: String { "GUMROAD_WEBHOOK_SECRET" }

    package func authenticate(_ request: HTTPRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookAuthentication
    {
        guard let presented = request.queryValue("secret") else { return .rejected(reason: "no secret in the query") }
        return secrets.matcher.matches(presented) ? .accepted : .rejected(reason: "wrong secret")
    }
}
