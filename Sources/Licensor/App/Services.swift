import Logging

/// The parts one invocation runs on, made from the configuration; each is opened on first use, so a request
/// pays only for what it touches.
package final class Services {
    /// The configuration they were made from.
    package let configuration: Configuration
    /// The open license store.
    package let store: any LicenseStore
    /// The email service.
    package let email: any EmailService
    private let logger: Logger
    private var catalog: ProductCatalog?
    private var signingKey: Ed25519PrivateKey?
    private var templates: LicenseEmailTemplates?

    /// Creates services around an open store.
    package init(configuration: Configuration, store: any LicenseStore, email: any EmailService, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.email = email
        self.logger = logger
    }

    /// Opens the configured store (migrating an empty SQLite file) and picks the email service.
    package static func open(
        _ configuration: Configuration, deadline: Deadline, logger: Logger
    ) throws(LicensorError) -> Services {
        let store = try openStore(configuration.database, deadline: deadline)
        do {
            try store.prepareForUse()
        } catch {
            store.close()
            throw LicensorError(.store, "cannot prepare the database", underlying: error)
        }
        return Services(
            configuration: configuration, store: store, email: makeEmailService(configuration, logger: logger),
            logger: logger)
    }

    /// Opens the database without touching its schema.
    package static func openStore(
        _ location: DatabaseLocation, deadline: Deadline
    ) throws(LicensorError) -> any LicenseStore {
        do throws(StoreError) {
            switch location {
            case .sqlite(let path):
                return SQLLicenseStore(database: try SQLiteDatabase(path: path, deadline: deadline))
            case .postgres(let url):
                return SQLLicenseStore(database: try PostgresDatabase(url: url, deadline: deadline))
            }
        } catch {
            throw LicensorError(.store, "cannot open the database", underlying: error)
        }
    }

    /// The configured email service.
    package static func makeEmailService(_ configuration: Configuration, logger: Logger) -> any EmailService {
        if case .postmark = configuration.email, configuration.tlsKeyLogFile != nil {
            // libcurl honours it: the keys that decrypt the Postmark traffic (and its token) would be written out.
            logger.warning("SSLKEYLOGFILE is set: TLS session keys of the Postmark connection are being written to it")
        }
        switch configuration.email {
        case .log: return LoggingEmailService(logger: logger)
        case .postmark(let token, let apiURL, let stream):
            return PostmarkEmailService(serverToken: token, apiURL: apiURL, messageStream: stream)
        }
    }

    /// The products file, loaded once.
    package func products() throws(LicensorError) -> ProductCatalog {
        if let catalog { return catalog }
        do {
            let loaded = try ProductCatalog.load(path: configuration.productsFile)
            catalog = loaded
            return loaded
        } catch {
            throw LicensorError(.productsFile, "\(error)", underlying: error)
        }
    }

    /// The signing key, loaded once.
    package func key() throws(LicensorError) -> Ed25519PrivateKey {
        if let signingKey { return signingKey }
        let loaded = try SigningKeys.resolve(configuration, logger: logger)
        signingKey = loaded
        return loaded
    }

    /// The email templates, loaded once.
    package func emailTemplates() throws(LicensorError) -> LicenseEmailTemplates {
        if let templates { return templates }
        do {
            let loaded = try LicenseEmailTemplates.load(directory: configuration.emailTemplatesDirectory)
            templates = loaded
            return loaded
        } catch {
            throw LicensorError(.configuration, "EMAIL_TEMPLATES_DIR: cannot read a template", underlying: error)
        }
    }

    /// What the pipeline needs, wired to these services, for Gumroad (the route sets the adapter of the storefront
    /// that authenticated the request; replay, the one that recorded the row).
    package var pipelineDependencies: FulfillmentPipeline.Dependencies {
        FulfillmentPipeline.Dependencies(
            store: store, adapter: GumroadAdapter(), products: products, signingKey: key, email: email,
            templates: emailTemplates, emailFrom: configuration.emailFrom, emailReplyTo: configuration.emailReplyTo,
            emailClaimLifetime: configuration.deadline + .seconds(5))
    }

    /// Closes the store.
    package func close() { store.close() }
}
