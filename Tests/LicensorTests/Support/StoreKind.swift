import Glibc
import Licensor
import Testing

/// The two stores every store-facing test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when the test cluster is configured — and always under CI, where a missing
    /// cluster must fail loudly rather than skip.
    static var available: [StoreKind] {
        testDatabaseURL != nil || isCI ? [.sqlite, .postgres] : [.sqlite]
    }

    static var isCI: Bool { getenv("CI") != nil }

    static var testDatabaseURL: String? {
        guard let raw = getenv("LICENSOR_TEST_DATABASE_URL") else { return nil }
        let url = String(cString: raw)
        return url.isEmpty ? nil : url
    }

    /// A new empty schema in the test cluster, as a URL whose search_path points at it; each test gets its own
    /// so tests run in parallel without seeing each other's rows.
    static func freshPostgresSchema() throws -> String {
        guard let url = testDatabaseURL else {
            throw ChildProcess.Failure(
                description: "CI is set but LICENSOR_TEST_DATABASE_URL is not: start scripts/pg-test-cluster.sh")
        }
        let schema = "t_\(UInt64.random(in: 0...UInt64.max))"
        let connection = try PostgresConnection(url: url, timeout: .seconds(5))
        defer { connection.close() }
        _ = try connection.query("CREATE SCHEMA \(schema)", timeout: .seconds(10))
        return url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }
}
