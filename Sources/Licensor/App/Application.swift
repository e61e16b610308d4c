import Logging

/// The composition root of one invocation: the route table over the storefront registry, with the services each
/// route opens on first need.
package struct Application: HTTPResponder {
    /// What route handlers share: the environment, the invocation's deadline and where services come from.
    package struct Context: Sendable {
        package let environment: [String: String]
        package let deadline: Deadline
        let services: any ServicesProvider
    }

    /// The route table this application answers with.
    package let router: Router

    /// Creates the application for one invocation; nothing is opened until a request needs it, and `services`
    /// decides whether what was opened is kept for the next invocation (`WarmServices`) or closed.
    package init(
        environment: [String: String], logger: Logger, deadline: Deadline? = nil,
        registry: StorefrontRegistry = .standard, services: any ServicesProvider = PerInvocationServices()
    ) {
        let context = Context(
            environment: environment,
            deadline: deadline ?? Deadline(budget: Configuration.deadlineBudget(environment: environment)),
            services: services)
        router = Router(
            routes: HealthRoute.routes(context) + WebhookRoute.routes(context) + LicenseAPIRoute.routes(context),
            registry: registry,
            environment: environment, logger: logger)
    }

    package func respond(to request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request)
    }
}
