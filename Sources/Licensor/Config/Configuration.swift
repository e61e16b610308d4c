/// A configuration value that is missing or invalid, naming the environment variable.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The variable at fault, e.g. `LICENSOR_DEADLINE_MS`.
    package var variable: String
    /// What is wrong with it; never its value when the value is a secret.
    package var problem: String

    /// Creates an error.
    package init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    package var description: String { "\(variable): \(problem)" }
}

/// Where licenses are stored.
package enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL URL in any form libpq accepts.
    case postgres(url: String)

    /// Parses `DATABASE_URL`: unset → `./licensor.sqlite3`; `sqlite:PATH`, `sqlite://PATH` or a plain path → SQLite;
    /// `postgres://` or `postgresql://` → PostgreSQL.
    package init(databaseURL: String?) throws(ConfigurationError) {
        guard let url = databaseURL?.trimmed, !url.isEmpty else {
            self = .sqlite(path: "./licensor.sqlite3")
            return
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else if url.hasPrefix("sqlite://") {
            self = .sqlite(path: String(url.dropFirst("sqlite://".count)))
        } else if url.hasPrefix("sqlite:") {
            self = .sqlite(path: String(url.dropFirst("sqlite:".count)))
        } else if url.contains("://") {
            let scheme = url.prefix { $0 != ":" }
            throw ConfigurationError(
                variable: "DATABASE_URL",
                problem: "unsupported scheme \"\(scheme)\" (use postgres://, postgresql://, sqlite: or a file path)")
        } else {
            self = .sqlite(path: url)
        }
        if case .sqlite(let path) = self, path.isEmpty {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "sqlite: needs a file path")
        }
    }
}

/// Which email service sends licenses.
package enum EmailConfiguration: Sendable, Equatable {
    /// Write the rendered message to the log.
    case log
    /// Send through Postmark.
    case postmark(serverToken: String, apiURL: String, messageStream: String)
}

/// Everything licensor reads from the environment, validated once.
///
/// Environment variables only, the function-runner convention; a bad value fails with a message naming it.
package struct Configuration: Sendable {
    /// The storage location.
    package var database: DatabaseLocation
    /// The products file path.
    package var productsFile: String
    /// `LICENSE_SIGNING_KEY`: PEM text or a path, when set.
    package var signingKey: String?
    /// The email service.
    package var email: EmailConfiguration
    /// `EMAIL_FROM`.
    package var emailFrom: String
    /// `EMAIL_REPLY_TO`.
    package var emailReplyTo: String?
    /// The folder holding `email.txt` and `email.html`.
    package var emailTemplatesDirectory: String
    /// `LICENSE_PUBLIC_KEYS`: PEM blocks or paths trusted by `verify`.
    package var publicKeys: String?
    /// The per-invocation time budget.
    package var deadline: Duration
    /// Where requests go when the audit row cannot be written.
    package var spoolDirectory: String?
    /// `SSLKEYLOGFILE`, which libcurl honours; worth a warning when set.
    package var tlsKeyLogFile: String?
    /// `STRIPE_API_KEY` and `STRIPE_API_URL`: where Stripe line items are read.
    package var stripeAPI: StorefrontAPIAccess
    /// `PADDLE_API_KEY` and `PADDLE_API_URL`: where Paddle customers are read.
    package var paddleAPI: StorefrontAPIAccess
    /// `LICENSOR_LEASE_TTL`: how long a lease token lasts.
    package var leaseTTL: Duration
    /// `LICENSOR_FINGERPRINT_KEY`: the key fingerprints are hashed with; nil derives one from the signing key.
    package var fingerprintKey: [UInt8]?
    /// `LICENSOR_RECOVER_INTERVAL`: the least time between two recovery emails to one address.
    package var recoverInterval: Duration

    /// The `LICENSOR_DEADLINE_MS` default: Gumroad gives up after five seconds.
    package static let defaultDeadlineMilliseconds = 4000

    /// `LICENSOR_DEADLINE_MS`, or the default when it is unset or invalid: the budget for reading and answering a
    /// request, which must exist even when the configuration does not load (that failure is answered in time).
    package static func deadlineBudget(environment: [String: String]) -> Duration {
        (try? Configuration(environment: environment).deadline) ?? .milliseconds(defaultDeadlineMilliseconds)
    }

    /// Reads and validates the environment.
    package init(environment env: [String: String]) throws(ConfigurationError) {
        database = try DatabaseLocation(databaseURL: env["DATABASE_URL"])
        productsFile = env["PRODUCTS_FILE"].nonEmpty ?? "config/products.yaml"
        signingKey = env["LICENSE_SIGNING_KEY"].nonEmpty
        publicKeys = env["LICENSE_PUBLIC_KEYS"].nonEmpty
        emailTemplatesDirectory = env["EMAIL_TEMPLATES_DIR"].nonEmpty ?? "config"
        spoolDirectory = env["LICENSOR_SPOOL_DIR"].nonEmpty
        tlsKeyLogFile = env["SSLKEYLOGFILE"].nonEmpty
        emailReplyTo = env["EMAIL_REPLY_TO"].nonEmpty
        stripeAPI = try StorefrontAPIAccess(
            keyVariable: "STRIPE_API_KEY", urlVariable: "STRIPE_API_URL", defaultURL: "https://api.stripe.com",
            environment: env)
        paddleAPI = try StorefrontAPIAccess(
            keyVariable: "PADDLE_API_KEY", urlVariable: "PADDLE_API_URL", defaultURL: "https://api.paddle.com",
            environment: env)
        leaseTTL = try Self.duration(
            env["LICENSOR_LEASE_TTL"].nonEmpty, variable: "LICENSOR_LEASE_TTL", default: 7 * 86_400)
        recoverInterval = try Self.duration(
            env["LICENSOR_RECOVER_INTERVAL"].nonEmpty, variable: "LICENSOR_RECOVER_INTERVAL", default: 600)
        fingerprintKey = env["LICENSOR_FINGERPRINT_KEY"].nonEmpty.map { Array($0.utf8) }
        if let key = fingerprintKey, key.count < 16 {
            throw ConfigurationError(variable: "LICENSOR_FINGERPRINT_KEY", problem: "must be at least 16 characters")
        }
        if let replyTo = emailReplyTo, !replyTo.contains("@") {
            throw ConfigurationError(variable: "EMAIL_REPLY_TO", problem: "\"\(replyTo)\" is not an email address")
        }
        if let token = env["POSTMARK_TOKEN"].nonEmpty {
            let apiURL = env["POSTMARK_API_URL"].nonEmpty ?? "https://api.postmarkapp.com"
            guard apiURL.hasPrefix("https://") || apiURL.hasPrefix("http://") else {
                throw ConfigurationError(variable: "POSTMARK_API_URL", problem: "must start with https:// or http://")
            }
            email = .postmark(
                serverToken: token, apiURL: apiURL, messageStream: env["POSTMARK_MESSAGE_STREAM"].nonEmpty ?? "outbound"
            )
            guard let from = env["EMAIL_FROM"].nonEmpty else {
                throw ConfigurationError(variable: "EMAIL_FROM", problem: "is required when POSTMARK_TOKEN is set")
            }
            emailFrom = from
        } else {
            email = .log
            emailFrom = env["EMAIL_FROM"].nonEmpty ?? "licensor@localhost"
        }
        guard emailFrom.contains("@") else {
            throw ConfigurationError(variable: "EMAIL_FROM", problem: "\"\(emailFrom)\" is not an email address")
        }
        if let raw = env["LICENSOR_DEADLINE_MS"].nonEmpty {
            guard let ms = Int(raw), (100...900_000).contains(ms) else {
                throw ConfigurationError(
                    variable: "LICENSOR_DEADLINE_MS", problem: "\"\(raw)\" is not a whole number from 100 to 900000")
            }
            deadline = .milliseconds(ms)
        } else {
            deadline = .milliseconds(Self.defaultDeadlineMilliseconds)
        }
    }

    /// A duration variable: seconds, or a number with `s`, `m`, `h` or `d`; from 1 minute to 365 days.
    static func duration(_ raw: String?, variable: String, default seconds: Int64) throws(ConfigurationError)
        -> Duration
    {
        guard let raw else { return .seconds(seconds) }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = raw.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(raw) : raw.dropLast()
        guard let count = Int64(digits), case let (total, overflow) = count.multipliedReportingOverflow(by: unit ?? 1),
            !overflow, (60...365 * 86_400).contains(total)
        else {
            throw ConfigurationError(
                variable: variable, problem: "\"\(raw)\" is not a duration from 60 s to 365d (e.g. 7d, 12h)"
            )
        }
        return .seconds(total)
    }
}
