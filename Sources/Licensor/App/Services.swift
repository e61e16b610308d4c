import Logging

/// The parts an invocation runs on, made from the configuration; each is opened on first use, so a request
/// pays only for what it touches. A warm Lambda process keeps them for the next invocation (`WarmServices`).
package final class Services {
    /// The configuration they were made from.
    package let configuration: Configuration
    /// The open license store.
    package let store: any LicenseStore
    /// The email service, logging with the current invocation's logger.
    package private(set) var email: any EmailService
    private var logger: Logger
    /// The current invocation's deadline, which bounds storefront API calls.
    private var deadline: Deadline
    /// Where Postmark connections wait for the next send; nil in a one-request process.
    private let httpConnections: CurlConnectionCache?
    private var catalog: (catalog: ProductCatalog, stamp: FileIO.Stamp?)?
    /// Set for each new invocation of kept services: the products file is stat'ed once to see whether it changed.
    private var catalogCheckDue = false
    private var signingKey: Ed25519PrivateKey?
    /// What failed to load while the database connected (`EarlyLoads`), thrown by the first call of this invocation
    /// that needs it, as if that call had loaded it.
    private var earlyFailures: (catalog: LicensorError?, key: LicensorError?) = (nil, nil)
    private var templates: LicenseEmailTemplates?
    private var recoveryTemplates: LicenseEmailTemplates?

    /// Creates services around an open store.
    package init(
        configuration: Configuration, store: any LicenseStore, email: any EmailService, logger: Logger,
        deadline: Deadline? = nil, httpConnections: CurlConnectionCache? = nil
    ) {
        self.configuration = configuration
        self.deadline = deadline ?? Deadline(budget: configuration.deadline)
        self.store = store
        self.email = email
        self.logger = logger
        self.httpConnections = httpConnections
    }

    /// Readies kept services for the next invocation: its deadline bounds every statement, its logger (carrying
    /// its request id) logs, and the products file is checked for a change on first use.
    package func renew(deadline: Deadline, logger: Logger) {
        store.bound(by: deadline)
        self.deadline = deadline
        self.logger = logger
        email = Self.makeEmailService(configuration, logger: logger, httpConnections: httpConnections)
        catalogCheckDue = true
        earlyFailures = (nil, nil)
    }

    /// Opens the configured store (migrating an empty SQLite file) and picks the email service; with
    /// `httpConnections`, Postmark sends leave their connection there for the next one. While a PostgreSQL
    /// connection waits for the server, the products file and signing key are loaded (`EarlyLoads`) unless
    /// `loadingEarly` is false: an operator command may need neither, and should not warn about a key it never reads.
    package static func open(
        _ configuration: Configuration, deadline: Deadline, logger: Logger,
        httpConnections: CurlConnectionCache? = nil, loadingEarly: Bool = true
    ) throws(LicensorError) -> Services {
        var early = EarlyLoads()
        let store = try openStore(configuration.database, deadline: deadline) {
            guard loadingEarly else { return }
            early = EarlyLoads.load(configuration, logger: logger)
        }
        do {
            try store.prepareForUse()
        } catch {
            store.close()
            throw LicensorError(.store, "cannot prepare the database", underlying: error)
        }
        let services = Services(
            configuration: configuration, store: store,
            email: makeEmailService(configuration, logger: logger, httpConnections: httpConnections), logger: logger,
            deadline: deadline, httpConnections: httpConnections)
        services.adopt(early)
        return services
    }

    /// Opens the database without touching its schema; `whileConnecting` runs once if opening waits for a server
    /// (PostgreSQL), never for SQLite.
    package static func openStore(
        _ location: DatabaseLocation, deadline: Deadline, whileConnecting: (() -> Void)? = nil
    ) throws(LicensorError) -> any LicenseStore {
        do throws(StoreError) {
            switch location {
            case .sqlite(let path):
                return SQLLicenseStore(database: try SQLiteDatabase(path: path, deadline: deadline))
            case .postgres(let url):
                return SQLLicenseStore(
                    database: try PostgresDatabase(url: url, deadline: deadline, whileConnecting: whileConnecting))
            }
        } catch {
            throw LicensorError(.store, "cannot open the database", underlying: error)
        }
    }

    /// The configured email service.
    package static func makeEmailService(
        _ configuration: Configuration, logger: Logger, httpConnections: CurlConnectionCache? = nil
    ) -> any EmailService {
        if case .postmark = configuration.email, configuration.tlsKeyLogFile != nil {
            // libcurl honours it: the keys that decrypt the Postmark traffic (and its token) would be written out.
            logger.warning("SSLKEYLOGFILE is set: TLS session keys of the Postmark connection are being written to it")
        }
        switch configuration.email {
        case .log: return LoggingEmailService(logger: logger)
        case .postmark(let token, let apiURL, let stream):
            return PostmarkEmailService(
                serverToken: token, apiURL: apiURL, messageStream: stream,
                client: CurlHTTPClient(connections: httpConnections))
        }
    }

    /// The products file, loaded once, and again in a later invocation when the file changed since.
    package func products() throws(LicensorError) -> ProductCatalog {
        let path = configuration.productsFile
        if let catalog {
            guard catalogCheckDue else { return catalog.catalog }
            catalogCheckDue = false
            if let stamp = FileIO.stamp(path), stamp == catalog.stamp { return catalog.catalog }
            logger.notice("the products file changed; reloading it", metadata: ["file": "\(path)"])
        } else if let failure = earlyFailures.catalog {
            earlyFailures.catalog = nil
            throw failure
        }
        do {
            let loaded = try Self.loadCatalog(path)
            catalog = loaded
            return loaded.catalog
        } catch {
            // As a new process would: a broken file fails every request until it is fixed, not only the first.
            catalog = nil
            throw error
        }
    }

    static func loadCatalog(_ path: String) throws(LicensorError) -> (catalog: ProductCatalog, stamp: FileIO.Stamp?) {
        do {
            // Stamped before reading: a change during the read shows as a different stamp at the next check.
            let stamp = FileIO.stamp(path)
            return (try ProductCatalog.load(path: path), stamp)
        } catch {
            throw LicensorError(.productsFile, "\(error)", underlying: error)
        }
    }

    /// The signing key, loaded once.
    package func key() throws(LicensorError) -> Ed25519PrivateKey {
        if let signingKey { return signingKey }
        if let failure = earlyFailures.key {
            earlyFailures.key = nil
            throw failure
        }
        let loaded = try SigningKeys.resolve(configuration, logger: logger)
        signingKey = loaded
        return loaded
    }

    /// The license email's templates, loaded once.
    package func emailTemplates() throws(LicensorError) -> LicenseEmailTemplates {
        try loadOnce(&templates) { () throws(FileError) in
            try LicenseEmailTemplates.load(directory: configuration.emailTemplatesDirectory)
        }
    }

    /// The recovery email's templates, loaded once.
    package func recoveryEmailTemplates() throws(LicensorError) -> LicenseEmailTemplates {
        try loadOnce(&recoveryTemplates) { () throws(FileError) in
            try LicenseEmailTemplates.loadRecovery(directory: configuration.emailTemplatesDirectory)
        }
    }

    private func loadOnce(
        _ cache: inout LicenseEmailTemplates?, _ load: () throws(FileError) -> LicenseEmailTemplates
    ) throws(LicensorError) -> LicenseEmailTemplates {
        if let cache { return cache }
        do {
            let loaded = try load()
            cache = loaded
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
            emailClaimLifetime: configuration.deadline + .seconds(5),
            api: StorefrontAPI(
                stripe: configuration.stripeAPI, paddle: configuration.paddleAPI,
                client: CurlHTTPClient(connections: httpConnections), deadline: deadline))
    }

    /// Takes what was loaded while the database connected as if this invocation had loaded it.
    private func adopt(_ early: EarlyLoads) {
        switch early.catalog {
        case .success(let loaded): catalog = loaded
        case .failure(let error): earlyFailures.catalog = error
        case nil: break
        }
        switch early.key {
        case .success(let key): signingKey = key
        case .failure(let error): earlyFailures.key = error
        case nil: break
        }
    }

    /// Closes the store.
    package func close() { store.close() }
}
