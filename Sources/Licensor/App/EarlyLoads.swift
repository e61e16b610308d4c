import Logging

/// The products file and signing key, loaded while a PostgreSQL connection waits for the server to fork a backend
/// and check the password: a sale needs both right after its audit row, and the process would otherwise sit idle.
/// (With PostgreSQL `SigningKeys.resolve` never creates a key, so this only reads.)
struct EarlyLoads {
    var catalog: Result<(catalog: ProductCatalog, stamp: FileIO.Stamp?), LicensorError>?
    var key: Result<Ed25519PrivateKey, LicensorError>?

    static func load(_ configuration: Configuration, logger: Logger) -> EarlyLoads {
        EarlyLoads(
            catalog: Result { () throws(LicensorError) in try Services.loadCatalog(configuration.productsFile) },
            key: Result { () throws(LicensorError) in try SigningKeys.resolve(configuration, logger: logger) })
    }
}
