import Logging

/// `POST /webhooks/{source}`: a storefront webhook, authenticated by the storefront the path names (see
/// `StorefrontRegistry`), recorded, then run through the pipeline.
enum WebhookRoute {
    static func routes(_ app: Application.Context) -> [Route] {
        [
            Route(["POST"], "/webhooks/{source}", authentication: .storefrontWebhook) { request, context in
                // The router sets the storefront on every route that authenticates as one.
                guard let storefront = context.storefront else { return Router.notFound }
                return receive(request, from: storefront, app, context.logger)
            }
        ]
    }

    static func receive(
        _ request: HTTPRequest, from storefront: any StorefrontAdapter, _ app: Application.Context, _ log: Logger
    ) -> HTTPResponse {
        let delivery = WebhookDelivery(request: request, adapter: storefront)
        if let problem = delivery.decodingProblem {
            log.notice("authenticated webhook body cannot be decoded; recording it", metadata: ["error": "\(problem)"])
        }
        let configuration: Configuration
        do {
            configuration = try app.services.configuration(app.environment)
        } catch {
            log.error("configuration error", metadata: ["error": "\(error)"])
            return ErrorStatus.response(.configuration, "licensor is misconfigured; see its log")
        }
        if WebhookSecrets(variable: storefront.secretVariable, environment: app.environment).hasWeakSecret {
            log.warning(
                "\(storefront.secretVariable) holds a secret with less than 16 bytes of entropy; use a long random one"
            )
        }
        let receivedAt = Timestamp.now()
        let services: Services
        do {
            services = try app.services.checkOut(configuration, deadline: app.deadline, logger: log)
        } catch {
            return unrecorded(delivery, storefront, receivedAt: receivedAt, configuration, log, error: error)
        }
        defer { app.services.checkIn(services) }
        var dependencies = services.pipelineDependencies
        dependencies.adapter = storefront
        let pipeline = FulfillmentPipeline(dependencies: dependencies, deadline: app.deadline, logger: log)
        let eventID: Int64
        do {
            eventID = try pipeline.audit(delivery, receivedAt: receivedAt)
        } catch {
            return unrecorded(delivery, storefront, receivedAt: receivedAt, configuration, log, error: error)
        }
        return .json(200, pipeline.process(eventID: eventID, delivery: delivery).responseBody)
    }

    /// The audit row cannot be written: spool the request durably and acknowledge it, or answer 503 so the
    /// storefront retries.
    private static func unrecorded(
        _ delivery: WebhookDelivery, _ storefront: any StorefrontAdapter, receivedAt: Timestamp,
        _ configuration: Configuration, _ log: Logger,
        error: any Error
    ) -> HTTPResponse {
        guard StoreError.isOutage(error) else {
            // The database refused the data itself: a spooled copy would fail the same way at every ingest.
            log.error("the database refused the audit row; answering 500", metadata: ["error": "\(error)"])
            return .error(500, "cannot record the event")
        }
        // The spool keeps Gumroad's decoded fields, and a signed body exactly; a Gumroad body the fields cannot stand
        // for (undecodable, or holding a NUL) would reach the spool changed, so it is left to Gumroad's retry.
        guard let directory = configuration.spoolDirectory, storefront.auditsExactBody || delivery.rawBody == nil
        else {
            log.error(
                "cannot write the audit row; answering 503 so the storefront retries", metadata: ["error": "\(error)"])
            return ErrorStatus.response(.store, "cannot record the event")
        }
        do {
            let path = try Spool(directory: directory).write(
                delivery, source: storefront.source, receivedAt: receivedAt)
            log.warning(
                "cannot write the audit row; spooled the request for `licensor replay --spool`",
                metadata: ["error": "\(error)", "file": "\(path)"])
            return .json(200, .object([("ok", .bool(true)), ("status", .string("spooled"))]))
        } catch let spoolError {
            log.error(
                "cannot write the audit row nor spool the request; answering 503",
                metadata: ["error": "\(error)", "spool_error": "\(spoolError)"])
            return ErrorStatus.response(.store, "cannot record the event")
        }
    }
}
