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
        ])
    func badValues(environment: [String: String], variable: String) {
        #expect {
            try Configuration(environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
                && !(error as! ConfigurationError).description.contains("\n")
        }
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
