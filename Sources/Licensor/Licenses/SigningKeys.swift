import Glibc
import Logging

/// Finds the key that signs licenses, and makes new ones.
package enum SigningKeys {
    /// Loads `LICENSE_SIGNING_KEY` (PEM text or a path). With the embedded SQLite store and no key configured, uses
    /// (creating on first use) `licensor-signing-key.pem` beside the database; with PostgreSQL a missing key is a
    /// configuration error, since every copy must sign alike.
    package static func resolve(
        _ configuration: Configuration, logger: Logger
    ) throws(LicensorError) -> Ed25519PrivateKey {
        if let key = try existing(configuration, logger: logger) { return key }
        guard case .sqlite(let databasePath) = configuration.database else {
            throw LicensorError(
                .configuration,
                "LICENSE_SIGNING_KEY: is required with PostgreSQL (every copy of licensor must sign with the same key)")
        }
        let path = defaultKeyPath(besideDatabase: databasePath)
        do {
            let key = try Ed25519PrivateKey.generate()
            try FileIO.createExclusively(path, bytes: Array(key.pemRepresentation.utf8), mode: 0o600)
            logger.warning(
                "LICENSE_SIGNING_KEY is not set: generated a new signing key; back it up and set LICENSE_SIGNING_KEY",
                metadata: ["key_file": "\(path)", "kid": "\(key.publicKey.keyID)"])
            return key
        } catch let error as FileError where error.errno == EEXIST {
            // Another process created it first; use theirs so both sign alike.
            return try load(path, variable: "LICENSE_SIGNING_KEY", logger: logger)
        } catch {
            throw LicensorError(.signing, "cannot create a signing key at \(path)", underlying: error)
        }
    }

    /// The configured or previously generated signing key, never creating one (for `verify`).
    package static func resolveExisting(
        _ configuration: Configuration, logger: Logger
    ) throws(LicensorError) -> Ed25519PrivateKey {
        if let key = try existing(configuration, logger: logger) { return key }
        throw LicensorError(
            .configuration,
            "no trusted public key: pass --public-key, or set LICENSE_PUBLIC_KEYS or LICENSE_SIGNING_KEY")
    }

    /// `LICENSE_SIGNING_KEY`, else the key generated earlier beside the SQLite database, else nil.
    private static func existing(
        _ configuration: Configuration, logger: Logger
    ) throws(LicensorError) -> Ed25519PrivateKey? {
        if let setting = configuration.signingKey {
            return try load(setting, variable: "LICENSE_SIGNING_KEY", logger: logger)
        }
        guard case .sqlite(let databasePath) = configuration.database else { return nil }
        let path = defaultKeyPath(besideDatabase: databasePath)
        return FileIO.exists(path) ? try load(path, variable: "LICENSE_SIGNING_KEY", logger: logger) : nil
    }

    /// The path of the generated key for an SQLite database file.
    package static func defaultKeyPath(besideDatabase databasePath: String) -> String {
        guard let slash = databasePath.lastIndex(of: "/") else { return "licensor-signing-key.pem" }
        return databasePath[...slash] + "licensor-signing-key.pem"
    }

    /// Loads a private key from PEM text or from a file.
    package static func load(_ setting: String, variable: String, logger: Logger) throws(LicensorError)
        -> Ed25519PrivateKey
    {
        let pem: String
        if setting.containsBytes(of: "-----BEGIN") {
            pem = setting
        } else {
            do {
                pem = String(decoding: try FileIO.read(setting, limit: 64 << 10), as: UTF8.self)
            } catch {
                throw LicensorError(.configuration, "\(variable): cannot read the key file", underlying: error)
            }
            if let mode = FileIO.mode(setting), mode & 0o077 != 0 {
                logger.warning(
                    "signing key file is readable by other users; run chmod 600 on it",
                    metadata: ["key_file": "\(setting)", "mode": "\(String(mode, radix: 8))"])
            }
        }
        do {
            return try Ed25519PrivateKey(pemRepresentation: pem)
        } catch {
            throw LicensorError(.configuration, "\(variable): not a usable Ed25519 private key", underlying: error)
        }
    }

    /// Parses public keys from PEM text holding one or more `PUBLIC KEY` blocks, or from comma-separated file paths.
    package static func publicKeys(from setting: String, variable: String) throws(LicensorError) -> [Ed25519PublicKey] {
        var texts: [String] = []
        if setting.containsBytes(of: "-----BEGIN") {
            texts = [setting]
        } else {
            for path in setting.split(separator: ",").map({ String($0).trimmed }) where !path.isEmpty {
                do {
                    texts.append(String(decoding: try FileIO.read(path, limit: 64 << 10), as: UTF8.self))
                } catch {
                    throw LicensorError(.configuration, "\(variable): cannot read \(path)", underlying: error)
                }
            }
        }
        var keys: [Ed25519PublicKey] = []
        for text in texts {
            for block in pemBlocks(text) {
                do {
                    keys.append(try Ed25519PublicKey(pemRepresentation: block))
                } catch {
                    throw LicensorError(.configuration, "\(variable): not an Ed25519 public key", underlying: error)
                }
            }
        }
        guard !keys.isEmpty else { throw LicensorError(.configuration, "\(variable): holds no PUBLIC KEY block") }
        return keys
    }

    /// Splits text into its `-----BEGIN …-----` … `-----END …-----` blocks.
    static func pemBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("-----BEGIN") { current = [] }
            current.append(trimmed)
            if trimmed.hasPrefix("-----END") {
                blocks.append(current.joined(separator: "\n") + "\n")
                current = []
            }
        }
        return blocks
    }
}
