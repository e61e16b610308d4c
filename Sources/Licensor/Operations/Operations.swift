import Logging

/// The operator commands, as library code the thin executable calls.
///
/// Output for people goes through `output` (stdout); failures are thrown as one-line errors.
package struct Operations {
    let environment: [String: String]
    let logger: Logger
    let output: (String) -> Void

    /// Creates the command runner.
    package init(environment: [String: String], logger: Logger, output: @escaping (String) -> Void) {
        self.environment = environment
        self.logger = logger
        self.output = output
    }

    func configuration() throws(LicensorError) -> Configuration {
        do {
            return try Configuration(environment: environment)
        } catch {
            throw LicensorError(.configuration, "\(error)")
        }
    }

    /// `licensor migrate`.
    package func migrate() throws(LicensorError) {
        let configuration = try configuration()
        let store = try Services.openStore(configuration.database, deadline: Deadline(budget: .seconds(60)))
        defer { store.close() }
        do {
            try store.migrate()
        } catch {
            throw LicensorError(.store, "migration failed", underlying: error)
        }
        output("schema is up to date (version \(Schema.currentVersion))")
    }

    /// `licensor keygen`: writes a new private key with mode 0600, refusing to overwrite, and prints the public key.
    package func keygen(path: String) throws(LicensorError) {
        guard !FileIO.exists(path) else {
            throw LicensorError(.usage, "\(path) already exists; refusing to overwrite a signing key")
        }
        do {
            let key = try Ed25519PrivateKey.generate()
            try FileIO.createExclusively(path, bytes: Array(key.pemRepresentation.utf8), mode: 0o600)
            output("wrote private key to \(path) (mode 0600, key id \(key.publicKey.keyID))")
            output("set LICENSE_SIGNING_KEY=\(path); embed this public key in your app:")
            output(key.publicKey.pemRepresentation.trimmed)
        } catch let error as LicensorError {
            throw error
        } catch {
            throw LicensorError(.signing, "cannot write a new key to \(path)", underlying: error)
        }
    }

    /// `licensor verify`: checks a token against `--public-key` values, `LICENSE_PUBLIC_KEYS`, or the public half
    /// of the configured signing key.
    package func verify(token: String, publicKeys: [String], json: Bool) throws(LicensorError) {
        let configuration = try configuration()
        var trusted: [Ed25519PublicKey] = []
        for setting in publicKeys {
            trusted += try SigningKeys.publicKeys(from: setting, variable: "--public-key")
        }
        if trusted.isEmpty, let setting = configuration.publicKeys {
            trusted = try SigningKeys.publicKeys(from: setting, variable: "LICENSE_PUBLIC_KEYS")
        }
        if trusted.isEmpty {
            trusted = [try SigningKeys.resolveExisting(configuration, logger: logger).publicKey]
        }
        let claims: LicenseClaims
        do {
            claims = try LicenseVerifier(trustedKeys: TrustedKeys(trusted), issuer: "licensor")
                .verify(licenseToken: token.trimmed)
        } catch {
            // The message escapes and truncates whatever it quotes from the token (a key id, an issuer).
            throw LicensorError(.signing, "token not valid (\(error.code)): \(error.message)")
        }
        if json {
            output(claims.json.serialized())
            return
        }
        output("valid license token")
        // Signed by a trusted key, but the buyer typed the name and the storefront sent it: no control characters.
        let rows: [(String, String?)] = [
            ("key", claims.key), ("product", claims.productID), ("product name", claims.productName),
            ("tier", claims.tier), ("name", claims.name), ("email", claims.email), ("issued", claims.issuedAt.rfc3339),
            ("expires", claims.expiresAt?.rfc3339 ?? "never (lifetime)"), ("issuer", claims.issuer),
        ].map { ($0.0, $0.1.map { printable($0, limit: 256, asciiOnly: false) }) }
        for (label, value) in rows {
            guard let value else { continue }
            output(label.padding(toLength: 14) + value)
        }
    }
}

extension String {
    /// The string padded with spaces to at least `length` characters.
    func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
