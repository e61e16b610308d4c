import Logging

/// Where routes get their services: opened for one invocation and closed after it, or kept for the next one.
package protocol ServicesProvider: Sendable {
    /// The configuration read from `environment`.
    func configuration(_ environment: [String: String]) throws(ConfigurationError) -> Configuration
    /// The services for one invocation, bounded by its deadline and logging with its logger.
    func checkOut(_ configuration: Configuration, deadline: Deadline, logger: Logger) throws(LicensorError) -> Services
    /// Hands them back when the invocation is done with them.
    func checkIn(_ services: Services)
}

/// A process that answers one request: services are opened when a route needs them and closed after it.
package struct PerInvocationServices: ServicesProvider {
    /// Opens the services; injectable so tests can break the database.
    package typealias Open = @Sendable (Configuration, Deadline, Logger) throws(LicensorError) -> Services

    private let open: Open

    /// Opens with `open`, by default `Services.open`.
    package init(
        open: @escaping Open = { configuration, deadline, logger throws(LicensorError) in
            try Services.open(configuration, deadline: deadline, logger: logger)
        }
    ) {
        self.open = open
    }

    package func checkOut(
        _ configuration: Configuration, deadline: Deadline, logger: Logger
    ) throws(LicensorError) -> Services {
        try open(configuration, deadline, logger)
    }

    package func configuration(_ environment: [String: String]) throws(ConfigurationError) -> Configuration {
        try Configuration(environment: environment)
    }

    package func checkIn(_ services: Services) { services.close() }
}

/// A warm Lambda process: the services of the first invocation that needed them (database connection with its
/// prepared statements, products file, signing key, templates, Postmark connection) serve every later one.
///
/// Each invocation renews their deadline and logger. A connection that cannot serve another invocation (the
/// server restarted, a pooler recycled the link, an error left a transaction open) is closed and opened anew
/// once, so a PostgreSQL restart costs at most the invocations in flight. No session state is kept on the
/// connection, so PgBouncer's transaction pooling stays safe. The configuration is read once: Lambda starts new
/// processes when the function's environment changes.
///
/// Used by the one thread of the Lambda loop, which answers one invocation at a time.
package final class WarmServices: ServicesProvider, @unchecked Sendable {
    /// Opens the services; injectable so tests can count or break openings.
    package typealias Open = (Configuration, Deadline, Logger, CurlConnectionCache) throws(LicensorError) -> Services

    private let open: Open
    private let httpConnections = CurlConnectionCache()
    private var kept: Services?
    /// The first configuration read without an error, with the environment it came from.
    private var configured: (environment: [String: String], configuration: Configuration)?

    /// Opens with `open`, by default `Services.open`, on the first invocation that needs services.
    package init(
        open: @escaping Open = { configuration, deadline, logger, connections throws(LicensorError) in
            try Services.open(configuration, deadline: deadline, logger: logger, httpConnections: connections)
        }
    ) {
        self.open = open
    }

    /// Read once: every invocation of a Lambda process has the same environment (a changed one is checked anyway,
    /// at the cost of a comparison).
    package func configuration(_ environment: [String: String]) throws(ConfigurationError) -> Configuration {
        if let configured, configured.environment == environment { return configured.configuration }
        let read = try Configuration(environment: environment)
        configured = (environment, read)
        return read
    }

    package func checkOut(
        _ configuration: Configuration, deadline: Deadline, logger: Logger
    ) throws(LicensorError) -> Services {
        if let kept {
            if kept.store.isReusable {
                kept.renew(deadline: deadline, logger: logger)
                return kept
            }
            logger.notice("the kept database connection cannot be reused; opening a new one")
            drop()
        }
        let opened = try open(configuration, deadline, logger, httpConnections)
        kept = opened
        return opened
    }

    /// Keeps the services unless the invocation left their connection unusable; then it is closed at once, so a
    /// broken link holds no descriptor while the process waits for the next event.
    package func checkIn(_ services: Services) {
        guard services === kept, !services.store.isReusable else { return }
        drop()
    }

    /// Closes what is kept.
    package func close() { drop() }

    private func drop() {
        kept?.close()
        kept = nil
    }
}
