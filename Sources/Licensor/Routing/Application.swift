import Logging

/// Routes one request: `/healthz`, the Gumroad webhook with its secret, and one fixed 404 for everything else.
public struct Application {
    /// The webhook route.
    public static let webhookPath = "/webhooks/gumroad"
    /// The health route.
    public static let healthPath = "/healthz"

    private let environment: [String: String]
    private let logger: Logger
    private let secrets: SecretMatcher
    private let deadline: Deadline
    private let openServices: (Configuration, Deadline, Logger) throws(LicensorError) -> Services

    /// Creates the application for one invocation; nothing is opened until a request needs it.
    public init(
        environment: [String: String], logger: Logger, deadline: Deadline? = nil,
        openServices: @escaping (Configuration, Deadline, Logger) throws(LicensorError) -> Services = Services.open
    ) {
        self.environment = environment
        self.logger = logger
        self.secrets = SecretMatcher(secrets: Configuration.webhookSecrets(environment: environment))
        self.deadline =
            deadline
            ?? Deadline(budget: (try? Configuration(environment: environment).deadline) ?? .milliseconds(4000))
        self.openServices = openServices
    }

    /// The one fixed answer for a wrong secret, a missing secret and an unknown path: a prober learns nothing.
    public static let notFound = HTTPResponse.error(404, "not found")

    /// Answers one request.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let path =
            request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        var log = logger
        log[metadataKey: "method"] = "\(request.method)"
        log[metadataKey: "path"] = "\(path)"
        switch path {
        case Self.healthPath:
            guard request.method == "GET" || request.method == "HEAD" else { return Self.methodNotAllowed("GET") }
            return health(log)
        case Self.webhookPath:
            guard secrets.isConfigured else {
                log.error("GUMROAD_WEBHOOK_SECRET is not set: the webhook answers 404 to everything until it is")
                return Self.notFound
            }
            guard secrets.matches(request.queryValue("secret")) else {
                log.notice("rejected a request with a wrong or missing secret")
                return Self.notFound
            }
            guard request.method == "POST" else { return Self.methodNotAllowed("POST") }
            return receiveWebhook(request, log)
        default:
            log.info("unknown path")
            return Self.notFound
        }
    }

    static func methodNotAllowed(_ allowed: String) -> HTTPResponse {
        var response = HTTPResponse.error(405, "method not allowed")
        response.headers.add(name: "Allow", value: allowed)
        return response
    }

    private func health(_ log: Logger) -> HTTPResponse {
        do {
            let configuration = try Configuration(environment: environment)
            let services = try openServices(configuration, deadline, log)
            defer { services.close() }
            try services.store.ping()
            return .json(200, .object([("ok", .bool(true))]))
        } catch {
            log.error("health check failed", metadata: ["error": "\(error)"])
            return .json(503, .object([("ok", .bool(false))]))
        }
    }

    private func receiveWebhook(_ request: HTTPRequest, _ log: Logger) -> HTTPResponse {
        let payload: WebhookPayload
        do {
            payload = try WebhookPayload(body: request.body, contentType: request.headers["Content-Type"])
        } catch {
            log.notice("bad webhook body", metadata: ["error": "\(error)"])
            return .error(400, error.reason)
        }
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            log.error("configuration error", metadata: ["error": "\(error)"])
            return .error(503, "licensor is misconfigured; see its log")
        }
        let receivedAt = Timestamp.now()
        let services: Services
        do {
            services = try openServices(configuration, deadline, log)
        } catch {
            return unrecorded(payload, receivedAt: receivedAt, configuration, log, error: error)
        }
        defer { services.close() }
        let pipeline = FulfillmentPipeline(dependencies: services.pipelineDependencies, deadline: deadline, logger: log)
        let eventID: Int64
        do {
            eventID = try pipeline.audit(payload, receivedAt: receivedAt)
        } catch {
            return unrecorded(payload, receivedAt: receivedAt, configuration, log, error: error)
        }
        return .json(200, pipeline.process(eventID: eventID, payload: payload).responseBody)
    }

    /// The audit row cannot be written: spool the request durably and acknowledge it, or answer 503 so Gumroad
    /// retries.
    private func unrecorded(
        _ payload: WebhookPayload, receivedAt: Timestamp, _ configuration: Configuration, _ log: Logger,
        error: any Error
    ) -> HTTPResponse {
        guard StoreError.isOutage(error) else {
            // The database refused the data itself: a spooled copy would fail the same way at every ingest.
            log.error("the database refused the audit row; answering 500", metadata: ["error": "\(error)"])
            return .error(500, "cannot record the event")
        }
        guard let directory = configuration.spoolDirectory else {
            log.error("cannot write the audit row; answering 503 so Gumroad retries", metadata: ["error": "\(error)"])
            return .error(503, "cannot record the event")
        }
        do {
            let path = try Spool(directory: directory).write(payload, receivedAt: receivedAt)
            log.warning(
                "cannot write the audit row; spooled the request for `licensor replay --spool`",
                metadata: ["error": "\(error)", "file": "\(path)"])
            return .json(200, .object([("ok", .bool(true)), ("status", .string("spooled"))]))
        } catch let spoolError {
            log.error(
                "cannot write the audit row nor spool the request; answering 503",
                metadata: ["error": "\(error)", "spool_error": "\(spoolError)"])
            return .error(503, "cannot record the event")
        }
    }
}
