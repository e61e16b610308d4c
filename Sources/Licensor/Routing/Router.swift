import Logging

/// The route table: finds the route for a path, authenticates, checks the method and calls the handler.
///
/// Everything a prober could learn from is one fixed 404: an unknown path, an unknown storefront, a wrong or
/// missing secret or signature, and a storefront with no secret configured. Only an authenticated caller learns
/// that a method is wrong (405 with `Allow`).
package struct Router: HTTPResponder {
    /// The one fixed answer for everything a prober must not tell apart.
    package static let notFound = HTTPResponse.error(404, "not found")

    /// The rows, first match wins.
    package let routes: [Route]
    private let registry: StorefrontRegistry
    private let environment: [String: String]
    private let logger: Logger
    private let now: @Sendable () -> Timestamp

    /// Creates a router over a table; `now` is the clock handed to timestamped signature schemes.
    package init(
        routes: [Route], registry: StorefrontRegistry, environment: [String: String], logger: Logger,
        now: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.routes = routes
        self.registry = registry
        self.environment = environment
        self.logger = logger
        self.now = now
    }

    package func respond(to request: HTTPRequest) -> HTTPResponse {
        let path =
            request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        var log = logger
        log[metadataKey: "method"] = "\(request.method)"
        log[metadataKey: "path"] = "\(path)"
        for route in routes {
            guard let parameters = route.pattern.match(path) else { continue }
            var context = Route.Context(parameters: parameters, storefront: nil, logger: log)
            if case .storefrontWebhook = route.authentication {
                guard let storefront = authenticatedStorefront(request, parameters["source"], log) else {
                    return Self.notFound
                }
                context.storefront = storefront
                context.logger[metadataKey: "source"] = "\(storefront.source)"
            }
            guard route.methods.contains(request.method) else {
                return Self.methodNotAllowed(route.methods.first ?? "GET")
            }
            return route.handler(request, context)
        }
        log.info("unknown path")
        return Self.notFound
    }

    /// The storefront named by the path when the request proves it comes from there; nil (and one log line naming
    /// the reason, never the secret) otherwise.
    private func authenticatedStorefront(
        _ request: HTTPRequest, _ source: String?, _ log: Logger
    ) -> (any StorefrontAdapter)? {
        guard let source, let storefront = registry.storefront(source) else {
            log.info("unknown path")
            return nil
        }
        let secrets: WebhookSecrets
        do {
            secrets = try WebhookSecrets(for: storefront, environment: environment)
        } catch {
            log.error("\(error): the webhook answers 404 to everything until it is fixed")
            return nil
        }
        guard secrets.isConfigured else {
            log.error(
                "\(storefront.secretVariable) is not set: the webhook answers 404 to everything until it is")
            return nil
        }
        switch storefront.authenticate(request, secrets: secrets, now: now()) {
        case .accepted:
            return storefront
        case .rejected(let reason):
            log.notice("rejected a webhook", metadata: ["reason": "\(reason)"])
            return nil
        }
    }

    /// 405 naming the method the route takes.
    static func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        var response = HTTPResponse.error(405, "method not allowed")
        response.headers.add(name: "Allow", value: allowed)
        return response
    }
}
