/// One storefront's configured webhook secrets, read from the variable its adapter names.
///
/// The variable holds one secret or several separated by commas (rotation: old and new both accepted; live and
/// sandbox); blanks are ignored. It is read apart from `Configuration` so authentication works even when another
/// variable is broken.
package struct WebhookSecrets: Sendable {
    /// The variable, e.g. `GUMROAD_WEBHOOK_SECRET`; named in log lines, never its value.
    package let variable: String
    /// The secrets, trimmed, in the order configured.
    package let values: [String]
    /// How old a signed timestamp may be, for a timestamped scheme.
    package var tolerance: Duration = .seconds(300)

    /// Reads `variable` from the environment.
    package init(variable: String, environment: [String: String]) {
        self.variable = variable
        self.values = (environment[variable] ?? "").split(separator: ",").map { String($0).trimmed }
            .filter { !$0.isEmpty }
    }

    /// Reads a storefront's secrets and its timestamp tolerance; a tolerance that is not a whole number of seconds
    /// from 1 to 86400 is a configuration error naming the variable.
    package init(for adapter: any StorefrontAdapter, environment: [String: String]) throws(ConfigurationError) {
        self.init(variable: adapter.secretVariable, environment: environment)
        guard let window = adapter.timestampTolerance else { return }
        guard let raw = environment[window.variable].nonEmpty else {
            tolerance = .seconds(window.defaultSeconds)
            return
        }
        guard let seconds = Int(raw), (1...86_400).contains(seconds) else {
            throw ConfigurationError(
                variable: window.variable, problem: "\"\(raw)\" is not a whole number of seconds from 1 to 86400")
        }
        tolerance = .seconds(seconds)
    }

    /// Whether a signed unix time is recent enough: no older than `tolerance`, and (for clock skew) no further
    /// ahead than it either.
    package func isFresh(_ signedAt: Int64, now: Timestamp) -> Bool {
        let age = now.microseconds / 1_000_000 - signedAt
        return age.magnitude <= UInt64(tolerance.components.seconds)
    }

    /// Whether any secret is configured; with none the storefront's route fails closed.
    package var isConfigured: Bool { !values.isEmpty }

    /// A matcher comparing a presented secret with every configured one in constant time.
    package var matcher: SecretMatcher { SecretMatcher(secrets: values) }

    /// The estimated entropy below which a secret is worth a warning: 16 bytes.
    package static let minimumEntropyBits = 128

    /// Whether some configured secret is guessable: its estimated entropy is below `minimumEntropyBits`.
    package var hasWeakSecret: Bool { values.contains { Self.estimatedEntropyBits($0) < Self.minimumEntropyBits } }

    /// A conservative estimate of a secret's entropy: its length times the bits of the smallest character pool
    /// that holds it (hex, digits, letters, base64, printable), rounded down; fewer than eight distinct characters
    /// count as an alphabet of that size.
    static func estimatedEntropyBits(_ secret: String) -> Int {
        let bytes = Array(secret.utf8)
        func all(_ test: (UInt8) -> Bool) -> Bool { bytes.allSatisfy(test) }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        let isHex: (UInt8) -> Bool = { isDigit($0) || (0x61...0x66).contains($0 | 0x20) }
        let isLetter: (UInt8) -> Bool = { (0x61...0x7A).contains($0 | 0x20) }
        let isBase64: (UInt8) -> Bool = {
            isDigit($0) || isLetter($0) || $0 == 0x2B || $0 == 0x2F || $0 == 0x2D || $0 == 0x5F || $0 == 0x3D
        }
        let pool =
            all(isDigit) ? 10 : all(isHex) ? 16 : all(isLetter) ? 52 : all(isBase64) ? 64 : 95
        // A secret repeating a handful of characters is as guessable as that handful allows.
        let distinct = Set(bytes).count
        let alphabet = distinct < 8 ? max(2, distinct) : pool
        let bitsPerCharacter = Int.bitWidth - alphabet.leadingZeroBitCount - 1
        return bytes.count * bitsPerCharacter
    }
}

/// What a storefront's check of a webhook's secret or signature found.
package enum WebhookAuthentication: Sendable, Equatable {
    /// The request comes from the storefront.
    case accepted
    /// It does not; the reason is logged (never the secret or the signature) and the caller gets the fixed 404.
    case rejected(reason: String)
}
