import Licensor
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test(
        "DATABASE_URL forms",
        arguments: [
            (nil, DatabaseLocation.sqlite(path: "./licensor.sqlite3")), ("", .sqlite(path: "./licensor.sqlite3")),
            ("sqlite:/tmp/a.db", .sqlite(path: "/tmp/a.db")), ("sqlite:///tmp/a.db", .sqlite(path: "/tmp/a.db")),
            ("data/l.sqlite3", .sqlite(path: "data/l.sqlite3")),
            ("postgres://u:p@h/db", .postgres(url: "postgres://u:p@h/db")),
            ("postgresql:///db?host=/run", .postgres(url: "postgresql:///db?host=/run")),
        ])
    func databaseURL(value: String?, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation(databaseURL: value) == expected)
    }

    @Test(
        "bad values name the variable",
        arguments: [
            (["DATABASE_URL": "mysql://x"], "DATABASE_URL"), (["DATABASE_URL": "sqlite:"], "DATABASE_URL"),
            (["LICENSOR_DEADLINE_MS": "soon"], "LICENSOR_DEADLINE_MS"),
            (["LICENSOR_DEADLINE_MS": "0"], "LICENSOR_DEADLINE_MS"),
            (["POSTMARK_TOKEN": "t"], "EMAIL_FROM"), (["EMAIL_FROM": "nobody"], "EMAIL_FROM"),
            (["POSTMARK_TOKEN": "t", "EMAIL_FROM": "a@b.c", "POSTMARK_API_URL": "ftp://x"], "POSTMARK_API_URL"),
            (["EMAIL_REPLY_TO": "x"], "EMAIL_REPLY_TO"),
            (["LICENSOR_LEASE_TTL": "7 days"], "LICENSOR_LEASE_TTL"),
            (["LICENSOR_LEASE_TTL": "30s"], "LICENSOR_LEASE_TTL"),
            (["LICENSOR_LEASE_TTL": "400d"], "LICENSOR_LEASE_TTL"),
            (["LICENSOR_RECOVER_INTERVAL": "-5m"], "LICENSOR_RECOVER_INTERVAL"),
            (["LICENSOR_FINGERPRINT_KEY": "short"], "LICENSOR_FINGERPRINT_KEY"),
            (["STRIPE_API_URL": "api.stripe.com"], "STRIPE_API_URL"), (["PADDLE_API_URL": "ftp://x"], "PADDLE_API_URL"),
        ])
    func badValues(environment: [String: String], variable: String) {
        #expect {
            try Configuration(environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
                && !(error as! ConfigurationError).description.contains("\n")
        }
    }

    @Test("durations read seconds and s, m, h, d")
    func durations() throws {
        #expect(try Configuration(environment: ["LICENSOR_LEASE_TTL": "12h"]).leaseTTL == .seconds(43_200))
        #expect(try Configuration(environment: ["LICENSOR_LEASE_TTL": "3600"]).leaseTTL == .seconds(3600))
        #expect(try Configuration(environment: [:]).leaseTTL == .seconds(7 * 86_400))
        #expect(try Configuration(environment: [:]).recoverInterval == .seconds(600))
    }

    @Test("the Postmark token never appears in a configuration error")
    func tokenNotEchoed() {
        do {
            _ = try Configuration(environment: ["POSTMARK_TOKEN": "super-secret-token"])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("super-secret-token"))
        }
    }

    @Test("LOG_LEVEL and LOG_FORMAT are validated")
    func logSettings() {
        let good = StderrLogHandler.settings(environment: ["LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"])
        #expect(good.level == .debug && good.format == .json && good.errors.isEmpty)
        let bad = StderrLogHandler.settings(environment: ["LOG_LEVEL": "loud", "LOG_FORMAT": "xml"])
        #expect(bad.errors.map(\.variable) == ["LOG_LEVEL", "LOG_FORMAT"])
    }
}
