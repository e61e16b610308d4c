import Logging

/// The composition root of one invocation: the route table over the storefront registry, with the services each
/// route opens on first need.
package struct Application: HTTPResponder {
    /// Opens the services a route needs; injectable so tests can break the database.
    package typealias OpenServices = (Configuration, Deadline, Logger) throws(LicensorError) -> Services

    /// What route handlers share: the environment, the invocation's deadline and how to open services.
    package struct Context: Sendable {
        package let environment: [String: String]
        package let deadline: Deadline
        let openServices: @Sendable (Configuration, Deadline, Logger) throws(LicensorError) -> Services
    }

    /// The route table this application answers with.
    package let router: Router

    /// Creates the application for one invocation; nothing is opened until a request needs it.
    package init(
        environment: [String: String], logger: Logger, deadline: Deadline? = nil,
        registry: StorefrontRegistry = .standard,
        openServices: @escaping @Sendable (Configuration, Deadline, Logger) throws(LicensorError) -> Services =
            Services.open
    ) {
        let context = Context(
            environment: environment,
            deadline: deadline ?? Deadline(budget: Configuration.deadlineBudget(environment: environment)),
            openServices: openServices)
        router = Router(
            routes: HealthRoute.routes(context) + WebhookRoute.routes(context), registry: registry,
            environment: environment, logger: logger)
    }

    package func respond(to request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request)
    }
}
