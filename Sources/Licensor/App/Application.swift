import Logging

/// The composition root of one invocation: the route table over the storefront registry, with the services each
/// route opens on first need.
public struct Application: HTTPResponder {
    /// Opens the services a route needs; injectable so tests can break the database.
    public typealias OpenServices = (Configuration, Deadline, Logger) throws(LicensorError) -> Services

    /// What route handlers share: the environment, the invocation's deadline and how to open services.
    public struct Context: Sendable {
        public let environment: [String: String]
        public let deadline: Deadline
        let openServices: @Sendable (Configuration, Deadline, Logger) throws(LicensorError) -> Services
    }

    /// The route table this application answers with.
    public let router: Router

    /// Creates the application for one invocation; nothing is opened until a request needs it.
    public init(
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

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request)
    }
}
