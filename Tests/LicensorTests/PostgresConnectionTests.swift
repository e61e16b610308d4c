import Glibc
import Testing

@testable import Licensor

private let timeout: Duration = .seconds(5)
private let hasDatabase = PostgresTestEnvironment.databaseURL != nil
private let hasSocket = hasDatabase && PostgresTestEnvironment.socketDirectory != nil
private let hasPgBouncer = PostgresTestEnvironment.pgbouncerURL != nil

/// In CI a missing server must fail the run, not quietly skip every PostgreSQL test.
@Suite("PostgreSQL test environment")
struct PostgresEnvironmentTests {
    @Test("CI provides LICENSOR_TEST_DATABASE_URL", .enabled(if: PostgresTestEnvironment.isCI))
    func ciHasDatabase() {
        if PostgresTestEnvironment.databaseURL == nil {
            Issue.record("CI is set but LICENSOR_TEST_DATABASE_URL is not (start scripts/pg-test-cluster.sh)")
        }
    }

    @Test("CI provides LICENSOR_TEST_PG_SOCKET_DIR", .enabled(if: PostgresTestEnvironment.isCI))
    func ciHasSocketDirectory() {
        if PostgresTestEnvironment.socketDirectory == nil {
            Issue.record("CI is set but LICENSOR_TEST_PG_SOCKET_DIR is not (start scripts/pg-test-cluster.sh)")
        }
    }

    @Test("CI provides LICENSOR_TEST_PGBOUNCER_URL", .enabled(if: PostgresTestEnvironment.isCI))
    func ciHasPgBouncer() {
        if PostgresTestEnvironment.pgbouncerURL == nil {
            Issue.record("CI is set but LICENSOR_TEST_PGBOUNCER_URL is not (start scripts/pgbouncer-test.sh)")
        }
    }
}

/// Failures that need no database: they must be told apart, fast, and name no secret.
@Suite("PostgreSQL connection failures")
struct PostgresConnectionFailureTests {
    @Test("a refused port fails fast with .connectionFailed")
    func refusedPort() throws {
        let reserved = try SilentTCPSocket(listening: false)
        let start = ContinuousClock.now
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(
                url: "postgres://licensor:licensor@127.0.0.1:\(reserved.port)/licensor", timeout: .seconds(5))
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isUnavailable == true)
        #expect(milliseconds(since: start) < 1000)
        #expect(error?.description.contains("Connection refused") == true)
        #expect(error?.description.contains("licensor:licensor") == false)
    }

    @Test("a server that accepts and never speaks times out on time", arguments: [300, 700])
    func silentServerTimesOut(timeoutMilliseconds: Int) throws {
        let listener = try SilentTCPSocket(listening: true)
        let start = ContinuousClock.now
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(
                url: "postgres://licensor:licensor@127.0.0.1:\(listener.port)/licensor",
                timeout: .milliseconds(timeoutMilliseconds))
        }
        let elapsed = milliseconds(since: start)
        #expect(error?.code == .timeout)
        #expect(error?.isUnavailable == true)
        #expect(elapsed >= Int64(timeoutMilliseconds) - 5)
        #expect(elapsed < Int64(timeoutMilliseconds) + 200)
        #expect(error?.description.contains("127.0.0.1:\(listener.port)") == true)
    }

    @Test("a malformed URL is rejected without echoing its password")
    func malformedURLHidesPassword() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgres://licensor:hunter2%zzsecret@127.0.0.1:1/licensor", timeout: timeout)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.description.contains("invalid") == true)
    }

    @Test("a dead socket directory fails with .connectionFailed")
    func missingSocketDirectory() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://licensor@/licensor?host=/nonexistent/licensor", timeout: timeout)
        }
        #expect(error?.code == .connectionFailed)
    }
}

/// Connecting to the test cluster in every way libpq allows.
@Suite("PostgreSQL connecting", .enabled(if: hasDatabase))
struct PostgresConnectTests {
    @Test("connects by URL and names itself licensor")
    func connectByURL() throws {
        let connection = try PostgresConnection(url: PostgresTestEnvironment.databaseURL!, timeout: timeout)
        #expect(connection.isOpen)
        let result = try connection.query(
            "SELECT current_user AS who, current_setting('application_name') AS app, "
                + "current_setting('client_encoding') AS encoding",
            timeout: timeout)
        #expect(result[row: 0, column: "who"] == "licensor")
        #expect(result[row: 0, column: "app"] == "licensor")
        #expect(result[row: 0, column: "encoding"] == "UTF8")
        connection.close()
        #expect(!connection.isOpen)
        let error = #expect(throws: PostgresError.self) { try connection.query("SELECT 1", timeout: timeout) }
        #expect(error?.code == .connectionFailed)
    }

    @Test("runs the work it was given once, while the server answers, and connects all the same")
    func workWhileWaiting() throws {
        var runs = 0
        let connection = try PostgresConnection(
            url: PostgresTestEnvironment.databaseURL!, timeout: timeout, whileWaiting: { runs += 1 })
        defer { connection.close() }
        #expect(runs == 1)
        #expect(try connection.query("SELECT 1 AS one", timeout: timeout)[row: 0, column: "one"] == "1")
    }

    @Test("connects through the unix socket, as a URL and as key=value", .enabled(if: hasSocket))
    func connectBySocket() throws {
        let directory = PostgresTestEnvironment.socketDirectory!
        let port = try #require(PostgresTestEnvironment.port(of: PostgresTestEnvironment.databaseURL!))
        for url in [
            "postgresql://licensor@/licensor?host=\(directory)&port=\(port)",
            "host=\(directory) port=\(port) user=licensor dbname=licensor",
        ] {
            let connection = try PostgresConnection(url: url, timeout: timeout)
            let result = try connection.query("SELECT inet_server_addr() IS NULL AS unix", timeout: timeout)
            #expect(result[row: 0, column: "unix"] == "t", "not over the unix socket: \(url)")
        }
    }

    @Test("GSS encryption is not probed unless the URL or PGGSSENCMODE asks for it")
    func gssEncryptionDefault() throws {
        let url = PostgresTestEnvironment.databaseURL!
        let defaults = PostgresConnection.connectionOptions(url: url, gssencmodeInEnvironment: false)
        let gss = try #require(defaults.firstIndex { $0 == ("gssencmode", "disable") })
        let dbname = try #require(defaults.firstIndex { $0.0 == "dbname" })
        #expect(gss < dbname, "the URL must be able to override the default")
        #expect(
            !PostgresConnection.connectionOptions(url: url, gssencmodeInEnvironment: true).contains {
                $0.0 == "gssencmode"
            })
        // The test cluster has no Kerberos, so a URL that requires GSS encryption must fail: proof that it wins.
        let separator = url.contains("?") ? "&" : "?"
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: url + separator + "gssencmode=require", timeout: timeout)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("GSS") == true)
    }

    @Test("takes the password from PGPASSWORD when the URL has none")
    func passwordFromEnvironment() async {
        // setenv is not safe while other tests read the environment: do it in a child process.
        await #expect(processExitsWith: .success) {
            let parts = PostgresTestEnvironment.splitPassword(PostgresTestEnvironment.databaseURL!)
            guard let password = parts.password else { exit(10) }
            unsetenv("PGPASSWORD")
            do throws(PostgresError) {
                _ = try PostgresConnection(url: parts.url, timeout: .seconds(5))
                exit(11)
            } catch {
                guard error.code == .authenticationFailed else { exit(12) }
            }
            setenv("PGPASSWORD", password, 1)
            do {
                let connection = try PostgresConnection(url: parts.url, timeout: .seconds(5))
                let result = try connection.query("SELECT current_user AS who", timeout: .seconds(5))
                exit(result[row: 0, column: "who"] == "licensor" ? 0 : 13)
            } catch {
                exit(14)
            }
        }
    }

    @Test("a wrong password is .authenticationFailed with SQLSTATE 28P01, and is not shown")
    func wrongPassword() {
        let url = PostgresTestEnvironment.withPassword(PostgresTestEnvironment.databaseURL!, "not-the-password-x9")
        let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: url, timeout: timeout) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.sqlstate == "28P01")
        #expect(error?.isUnavailable == true)
        #expect(error?.message.contains("password authentication failed") == true)
        #expect(error?.description.contains("not-the-password-x9") == false)
        #expect(error?.description.contains("\n") == false)
        #expect(error?.description.contains("LOCATION") == false)
    }

    @Test("a wrong password at PgBouncer is .authenticationFailed too", .enabled(if: hasPgBouncer))
    func wrongPasswordAtPgBouncer() {
        let url = PostgresTestEnvironment.withPassword(PostgresTestEnvironment.pgbouncerURL!, "not-the-password-x9")
        let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: url, timeout: timeout) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.description.contains("not-the-password-x9") == false)
    }

    @Test("an unknown database is .connectionFailed with SQLSTATE 3D000")
    func unknownDatabase() throws {
        let base = PostgresTestEnvironment.databaseURL!
        let slash = try #require(base.lastIndex(of: "/"))
        let url = base[...slash] + "licensor_no_such_database"
        let error = #expect(throws: PostgresError.self) { try PostgresConnection(url: String(url), timeout: timeout) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.sqlstate == "3D000")
    }

    @Test("a connection whose server process dies reports .connectionFailed and closes")
    func terminatedBackend() throws {
        let victim = try PostgresConnection(url: PostgresTestEnvironment.databaseURL!, timeout: timeout)
        let pid = try #require(victim.query("SELECT pg_backend_pid() AS pid", timeout: timeout)[row: 0, column: "pid"])
        let killer = try PostgresConnection(url: PostgresTestEnvironment.databaseURL!, timeout: timeout)
        let killed = try killer.query("SELECT pg_terminate_backend($1::int, 5000) AS ok", [pid], timeout: timeout)
        #expect(killed[row: 0, column: "ok"] == "t")
        let error = #expect(throws: PostgresError.self) { try victim.query("SELECT 1", timeout: timeout) }
        #expect(error?.code == .connectionFailed)
        #expect(!victim.isOpen)
        let again = #expect(throws: PostgresError.self) { try victim.query("SELECT 1", timeout: timeout) }
        #expect(again?.code == .connectionFailed)
    }
}

/// Statements, run against PostgreSQL directly and through PgBouncer in transaction mode.
@Suite("PostgreSQL statements", .enabled(if: !PostgresBackend.available.isEmpty))
struct PostgresStatementTests {
    @Test("parameters round-trip: quotes, NULL, unicode, empty, 100 KB", arguments: PostgresBackend.available)
    func parametersRoundTrip(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let values: [String?] = [
            "O'Brien \"quoted\" \\ backslash'); DROP TABLE x; --",
            nil,
            "Zoë Ñandú ✓ 日本語 🚀 \u{200B}",
            String(repeating: "0123456789", count: 10_240),
            "",
            "  spaces\tand\nnewlines  ",
        ]
        let result = try connection.query(
            "SELECT $1::text AS a, $2::text AS b, $3::text AS c, $4::text AS d, $5::text AS e, $6::text AS f, "
                + "octet_length($4::text) AS size",
            values, timeout: timeout)
        #expect(result.columns == ["a", "b", "c", "d", "e", "f", "size"])
        #expect(result.rows.count == 1)
        #expect(Array(result.rows[0].prefix(6)) == values)
        #expect(result[row: 0, column: "size"] == "102400")
        #expect(result[row: 0, column: "b"] == nil)
        #expect(result.affectedRows == 1)
    }

    @Test("the server infers untyped parameters; several rows come back in order", arguments: PostgresBackend.available)
    func inferredTypesAndRows(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let result = try connection.query(
            "SELECT g AS n, $1 || g AS label, NULLIF(g % 2, 0) AS odd FROM generate_series(1, $2) AS g",
            ["row-", "3"], timeout: timeout)
        #expect(result.rows == [["1", "row-1", "1"], ["2", "row-2", nil], ["3", "row-3", "1"]])
        #expect(result.affectedRows == 3)
        #expect(result.commandTag == "SELECT 3")
    }

    @Test("a NUL character in a parameter is refused before sending", arguments: PostgresBackend.available)
    func nulParameter(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT $1::text", ["a\u{0}b"], timeout: timeout)
        }
        #expect(error?.code == .query)
        #expect(connection.isOpen)
    }

    @Test(
        "a unique violation is .query with SQLSTATE 23505; the connection stays usable",
        arguments: PostgresBackend.available)
    func uniqueViolation(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        // Constraint (index) names are per schema, and the backends share one database.
        let schema = uniqueTableName()
        let table = schema + ".licenses"
        _ = try connection.query("CREATE SCHEMA \(schema)", timeout: timeout)
        defer { _ = try? connection.query("DROP SCHEMA IF EXISTS \(schema) CASCADE", timeout: timeout) }
        _ = try connection.query(
            "CREATE TABLE \(table) (id serial PRIMARY KEY, source text NOT NULL, source_order_id text NOT NULL, "
                + "CONSTRAINT uq_licenses_source_order UNIQUE (source, source_order_id))",
            timeout: timeout)
        let insert = "INSERT INTO \(table) (source, source_order_id) VALUES ($1, $2) RETURNING id"
        let first = try connection.query(insert, ["gumroad", "sale-1"], timeout: timeout)
        #expect(first.affectedRows == 1)
        #expect(first.commandTag == "INSERT 0 1")
        #expect(first[row: 0, column: "id"] != nil)
        let error = #expect(throws: PostgresError.self) {
            try connection.query(insert, ["gumroad", "sale-1"], timeout: timeout)
        }
        #expect(error?.code == .query)
        #expect(error?.sqlstate == "23505")
        #expect(error?.constraint == "uq_licenses_source_order")
        #expect(error?.isUnavailable == false)
        #expect(
            error?.description
                == "postgres: query failed (SQLSTATE 23505): "
                + "duplicate key value violates unique constraint \"uq_licenses_source_order\"")
        #expect(error?.detail?.contains("sale-1") == true)
        let count = try connection.query("SELECT count(*) AS n FROM \(table)", timeout: timeout)
        #expect(count[row: 0, column: "n"] == "1")
    }

    @Test("a syntax error is .query with SQLSTATE 42601", arguments: PostgresBackend.available)
    func syntaxError(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let error = #expect(throws: PostgresError.self) { try connection.query("SELEC 1", timeout: timeout) }
        #expect(error?.code == .query)
        #expect(error?.sqlstate == "42601")
        #expect(try connection.query("SELECT 1 AS one", timeout: timeout)[row: 0, column: "one"] == "1")
    }

    @Test(
        "a slow statement is cancelled at its timeout and the connection stays usable",
        arguments: PostgresBackend.available)
    func statementTimeout(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let start = ContinuousClock.now
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT pg_sleep(5)", timeout: .milliseconds(300))
        }
        let elapsed = milliseconds(since: start)
        #expect(error?.code == .timeout)
        #expect(error?.isUnavailable == true)
        #expect(elapsed >= 295)
        #expect(elapsed < 800, "cancel and drain took \(elapsed) ms")
        #expect(connection.isOpen, "\(error?.description ?? "")")
        let after = try connection.query("SELECT $1::int + 1 AS n", ["41"], timeout: timeout)
        #expect(after[row: 0, column: "n"] == "42")
    }

    @Test(
        "transactions commit, roll back on a thrown error, and report a swallowed failure",
        arguments: PostgresBackend.available)
    func transactions(backend: PostgresBackend) throws {
        let connection = try backend.connect()
        let table = uniqueTableName()
        _ = try connection.query("CREATE TABLE \(table) (value text UNIQUE)", timeout: timeout)
        defer { _ = try? connection.query("DROP TABLE IF EXISTS \(table)", timeout: timeout) }
        let insert = "INSERT INTO \(table) (value) VALUES ($1)"

        let inserted = try connection.transaction(timeout: timeout) { transaction in
            try transaction.query(insert, ["committed"], timeout: timeout).affectedRows
        }
        #expect(inserted == 1)

        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction(timeout: timeout) { transaction in
                _ = try transaction.query(insert, ["rolled back"], timeout: timeout)
                throw Abort()
            }
        }

        let swallowed = #expect(throws: PostgresError.self) {
            try connection.transaction(timeout: timeout) { transaction in
                _ = try transaction.query(insert, ["swallowed"], timeout: timeout)
                _ = try? transaction.query(insert, ["committed"], timeout: timeout)
            }
        }
        #expect(swallowed?.sqlstate == "25P02")

        let rows = try connection.query("SELECT value FROM \(table) ORDER BY value", timeout: timeout)
        #expect(rows.rows == [["committed"]])
        let updated = try connection.query("UPDATE \(table) SET value = value || '!'", timeout: timeout)
        #expect(updated.affectedRows == 1)
    }
}

/// The parsing behind the messages, checked on libpq's exact text.
@Suite("PostgreSQL error messages")
struct PostgresErrorMessageTests {
    @Test("a verbose connection message gives up its SQLSTATE and its LOCATION line")
    func verboseMessage() {
        let text =
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password authentication "
            + "failed for user \"licensor\"\nLOCATION:  auth_failed, auth.c:335\n"
        let parsed = PostgresConnection.parseVerboseMessage(text)
        #expect(parsed.sqlstate == "28P01")
        #expect(
            parsed.message
                == "connection to server at \"127.0.0.1\", port 5432 failed: FATAL: password authentication "
                + "failed for user \"licensor\"")
    }

    @Test("a message without an SQLSTATE is kept whole, on one line")
    func plainMessage() {
        let text =
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
            + "\tIs the server running on that host and accepting TCP/IP connections?\n"
        let parsed = PostgresConnection.parseVerboseMessage(text)
        #expect(parsed.sqlstate == nil)
        #expect(!parsed.message.contains("\n"))
        #expect(parsed.message.hasSuffix("accepting TCP/IP connections?"))
    }

    @Test("quoted pieces of a bad connection string are hidden")
    func redaction() {
        #expect(
            PostgresConnection.redactQuoted("invalid percent-encoded token: \"pa%zzss\"")
                == "invalid percent-encoded token: \"…\"")
    }

    @Test("descriptions are one line and name the code")
    func descriptions() {
        let error = PostgresError(.timeout, "the statement did not finish\nwithin 300 ms")
        #expect(error.description == "postgres: timed out: the statement did not finish within 300 ms")
        #expect(PostgresError.Code.authenticationFailed.description == "authenticationFailed")
    }

    @Test("durations round up to whole milliseconds")
    func durations() {
        #expect(PostgresDeadline.milliseconds(.milliseconds(300)) == 300)
        #expect(PostgresDeadline.milliseconds(.microseconds(300_001)) == 301)
        #expect(PostgresDeadline.milliseconds(.seconds(-1)) == 0)
        #expect(PostgresDeadline.milliseconds(.seconds(Int64.max)) == Int32.max)
    }
}
