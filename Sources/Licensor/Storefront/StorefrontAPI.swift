/// Where one storefront's REST API is and the key that reads it, from the environment.
package struct StorefrontAPIAccess: Sendable, Equatable {
    /// The variable holding the key, e.g. `STRIPE_API_KEY`; named in errors, never its value.
    package var keyVariable: String
    /// The key, if set.
    package var key: String?
    /// The base URL (no trailing slash), from `urlVariable` or the storefront's public API.
    package var baseURL: String

    /// Reads the key and base URL; a base URL that is not http(s) is a configuration error naming the variable.
    package init(
        keyVariable: String, urlVariable: String, defaultURL: String, environment: [String: String]
    ) throws(ConfigurationError) {
        self.keyVariable = keyVariable
        self.key = environment[keyVariable].nonEmpty
        var url = environment[urlVariable].nonEmpty ?? defaultURL
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(where: \.isWhitespace) else {
            throw ConfigurationError(variable: urlVariable, problem: "must be an http:// or https:// URL")
        }
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
    }
}

/// Reads what a webhook lacks from its storefront's API, inside the invocation's deadline, with TLS verified.
package struct StorefrontAPI: Sendable {
    /// Stripe's API (`STRIPE_API_KEY`, `STRIPE_API_URL`).
    package var stripe: StorefrontAPIAccess
    /// Paddle Billing's API (`PADDLE_API_KEY`, `PADDLE_API_URL`).
    package var paddle: StorefrontAPIAccess
    package var client: CurlHTTPClient
    package var deadline: Deadline
    /// The largest response read, 1 MiB.
    static let maximumResponseBytes = 1 << 20

    /// Creates the API access for one invocation.
    package init(stripe: StorefrontAPIAccess, paddle: StorefrontAPIAccess, client: CurlHTTPClient, deadline: Deadline) {
        self.stripe = stripe
        self.paddle = paddle
        self.client = client
        self.deadline = deadline
    }

    /// GETs `path` (already percent-encoded) with the key as a bearer token and returns the JSON document; a
    /// missing key, a non-2xx answer, a stall past the deadline or a body that is not JSON is an error naming what.
    package func getJSON(_ access: StorefrontAPIAccess, _ path: String) throws(LicensorError) -> JSONValue {
        guard let key = access.key else {
            throw LicensorError(
                .configuration, "\(access.keyVariable) is not set: set it and replay this event (`licensor replay`)")
        }
        let url = access.baseURL + path
        // Leave time to record the outcome, as the email step does.
        let budget = deadline.remaining - FulfillmentPipeline.bookkeepingReserve
        guard budget > .milliseconds(50) else {
            throw LicensorError(.deadline, "no time left to call \(url)")
        }
        let response: HTTPClientResponse
        do {
            response = try client.execute(
                HTTPClientRequest(
                    method: "GET", url: url,
                    headers: [("Authorization", "Bearer \(key)"), ("Accept", "application/json")]),
                connectTimeout: budget, totalTimeout: budget, maxResponseBytes: Self.maximumResponseBytes)
        } catch {
            throw LicensorError(.storefrontAPI, "GET \(url) failed", underlying: error)
        }
        guard (200..<300).contains(response.status) else {
            throw LicensorError(.storefrontAPI, "GET \(url) answered \(response.status)")
        }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw LicensorError(.storefrontAPI, "GET \(url) did not answer JSON: \(error)")
        }
    }
}
