import CPostgreSQL
import Glibc

/// One libpq connection to PostgreSQL (or PgBouncer), bounded in time at every step.
///
/// Everything libpq accepts works: `postgres://` and `postgresql://` URLs, `key=value` strings,
/// `PG*` environment variables (`PGPASSWORD`, `PGSSLMODE`, `PGHOST=/socket/dir`…) and `~/.pgpass`.
/// Every statement goes through `PQsendQueryParams` with the unnamed statement, and this type
/// never runs `SET` or `PREPARE`, so no session state is carried between statements and the
/// connection works through PgBouncer in transaction mode.
///
/// Use a connection from one thread at a time (it is `@unchecked Sendable` so that it can be
/// handed over, not shared). Host names are resolved by libpq with a blocking `getaddrinfo`,
/// outside the timeout; give an IP address or a socket directory where that matters.
package final class PostgresConnection: @unchecked Sendable {
    private var connection: OpaquePointer?

    /// How long a timed-out statement may take to acknowledge its cancel before the connection
    /// is closed instead; the extra time a `.timeout` can cost on top of the statement timeout.
    package var cancelGrace: Duration = .milliseconds(500)

    /// Whether the connection can still run statements (false after `close()` or a lost link).
    package var isOpen: Bool {
        guard let connection else { return false }
        return LibPQ.api.PQstatus(connection) == CONNECTION_OK
    }

    /// Whether the connection, idle between invocations, can serve another one, found out without a round trip.
    ///
    /// A server that shut down, or a pooler that recycled the link, has sent its last message and closed the
    /// socket, which makes an idle socket readable: libpq then reads it and reports the link lost. A connection
    /// inside a transaction (one an error left open) is not reused either. A link cut without a word (a network
    /// partition) still looks alive here; the statement that finds it out fails, and the next check sees it.
    package var isIdleAndAlive: Bool {
        guard let connection, LibPQ.api.PQstatus(connection) == CONNECTION_OK,
            LibPQ.api.PQtransactionStatus(connection) == PQTRANS_IDLE
        else { return false }
        // Notices and parameter changes may arrive while idle; a few reads settle them, an end of stream fails one.
        for _ in 0..<4 {
            let socket = LibPQ.api.PQsocket(connection)
            switch postgresWait(socket: socket, for: Int32(POLLIN), until: PostgresDeadline(after: .zero)) {
            case .timedOut: return true
            case .failed: return false
            case .ready:
                // Data, a hang-up or an error: libpq reads the socket and says whether the link survived.
                guard LibPQ.api.PQconsumeInput(connection) == 1, LibPQ.api.PQstatus(connection) == CONNECTION_OK
                else { return false }
            }
        }
        return false
    }

    /// Connects to `url` (a URL, a `key=value` string, or empty for the `PG*` variables alone).
    ///
    /// Refused connections, unreachable sockets and bad databases throw `.connectionFailed`,
    /// rejected credentials `.authenticationFailed`, and running past `timeout` `.timeout`.
    /// `application_name` defaults to `licensor` (`fallback_application_name`, so a URL or
    /// `PGAPPNAME` may still name it); the client encoding is always UTF-8. `whileWaiting` runs once, while the
    /// server first works on its side of the connection.
    package init(url: String, timeout: Duration, whileWaiting: (() -> Void)? = nil) throws(PostgresError) {
        let deadline = PostgresDeadline(after: timeout)
        try LibPQ.load()
        try PostgresConnection.validate(url)
        let options = Self.connectionOptions(url: url, gssencmodeInEnvironment: getenv("PGGSSENCMODE") != nil)
        let started = PostgresConnection.withCStrings(options.map(\.0)) { keywords in
            PostgresConnection.withCStrings(options.map(\.1)) { values in
                LibPQ.api.PQconnectStartParams(keywords, values, 1)
            }
        }
        guard let started else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        // Verbose messages carry the SQLSTATE: the only way to see it on a failed connection.
        _ = LibPQ.api.PQsetErrorVerbosity(started, PQERRORS_VERBOSE)
        do throws(PostgresError) {
            try PostgresConnection.drive(started, until: deadline, timeout: timeout, whileWaiting: whileWaiting)
        } catch {
            LibPQ.api.PQfinish(started)
            throw error
        }
        _ = LibPQ.api.PQsetErrorVerbosity(started, PQERRORS_DEFAULT)
        // Notices (and warnings such as "there is no transaction in progress") would otherwise be
        // printed to stderr by libpq, outside our log format.
        _ = LibPQ.api.PQsetNoticeProcessor(started, { _, _ in }, nil)
        guard LibPQ.api.PQsetnonblocking(started, 1) == 0 else {
            let error = PostgresConnection.connectionError(started)
            LibPQ.api.PQfinish(started)
            throw error
        }
        connection = started
    }

    /// The keyword/value pairs given to libpq, in order; the URL is expanded in place of `dbname`.
    static func connectionOptions(url: String, gssencmodeInEnvironment: Bool) -> [(String, String)] {
        // Entries before `dbname` are defaults the URL may override; later ones win over it. Swift strings are UTF-8,
        // so the encoding is fixed.
        var options = [("fallback_application_name", "licensor")]
        // libpq's default (gssencmode=prefer) looks for Kerberos credentials on every connection, which costs about
        // a millisecond and half a MiB per request; a Kerberos deployment says so in the URL or PGGSSENCMODE.
        if !gssencmodeInEnvironment { options.append(("gssencmode", "disable")) }
        return options + [("dbname", url), ("client_encoding", "UTF8")]
    }

    deinit {
        close()
    }

    /// Closes the connection; later statements throw `.connectionFailed`. Safe to call twice.
    package func close() {
        if let connection {
            LibPQ.api.PQfinish(connection)
        }
        connection = nil
    }

    /// Runs one statement with `$1`, `$2`… bound to `parameters` (text format, `nil` is NULL).
    ///
    /// Parameter types are left to the server (OID 0), so cast where it cannot infer one
    /// (`$1::int`). Only one statement per call. After `timeout` the statement is cancelled and
    /// `.timeout` thrown; the connection stays usable when the server acknowledged the cancel
    /// within `cancelGrace`, and is closed otherwise. Whether a timed-out write took effect is
    /// unknown, as with any timeout.
    package func query(
        _ sql: String,
        _ parameters: [String?] = [],
        timeout: Duration
    ) throws(PostgresError) -> PostgresResult {
        let deadline = PostgresDeadline(after: timeout)
        guard let connection, LibPQ.api.PQstatus(connection) == CONNECTION_OK else {
            close()
            throw PostgresError(.connectionFailed, "the connection is closed")
        }
        for (index, parameter) in parameters.enumerated() where parameter?.utf8.contains(0) == true {
            throw PostgresError(.query, "parameter $\(index + 1) contains a NUL character, which text cannot hold")
        }
        let sent = PostgresConnection.withCStrings(parameters) { values in
            LibPQ.api.PQsendQueryParams(connection, sql, Int32(clamping: parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else {
            throw failure(connection)
        }
        try flush(connection, until: deadline, timeout: timeout)
        return try collect(connection, until: deadline, timeout: timeout)
    }

    /// Runs `body` between `BEGIN` and `COMMIT` (each its own statement, bounded by `timeout`).
    ///
    /// Any error from `body` rolls the transaction back and is rethrown. A `COMMIT` that the
    /// server turns into a rollback (a statement in the transaction failed and `body` caught the
    /// error) throws `.query` with SQLSTATE 25P02. PgBouncer in transaction mode keeps the whole
    /// transaction on one server connection, so this is safe through it.
    package func transaction<T>(timeout: Duration, _ body: (PostgresConnection) throws -> T) throws -> T {
        _ = try query("BEGIN", timeout: timeout)
        let value: T
        do {
            value = try body(self)
        } catch {
            if isOpen {
                _ = try? query("ROLLBACK", timeout: timeout)
            }
            throw error
        }
        let commit = try query("COMMIT", timeout: timeout)
        if commit.commandTag == "ROLLBACK" {
            throw PostgresError(
                .query, "COMMIT rolled the transaction back because a statement in it had failed",
                sqlstate: "25P02")
        }
        return value
    }

    // MARK: - Helpers

    /// Where libpq is connecting, for messages: host (or socket directory) and port, no secrets.
    static func endpoint(_ connection: OpaquePointer) -> String {
        let host = LibPQ.api.PQhost(connection).map { String(cString: $0) } ?? ""
        let port = LibPQ.api.PQport(connection).map { String(cString: $0) } ?? ""
        switch (host.isEmpty, port.isEmpty) {
        case (true, _): return "the server"
        case (false, true): return host
        case (false, false): return host.hasPrefix("/") ? "\(host) (port \(port))" : "\(host):\(port)"
        }
    }

    static func describe(_ duration: Duration) -> String {
        "\(PostgresDeadline.milliseconds(duration)) ms"
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Calls `body` with C copies of `strings` plus a terminating NULL (`nil` stays a NULL pointer).
    static func withCStrings<R>(
        _ strings: [String?],
        _ body: ([UnsafePointer<CChar>?]) -> R
    ) -> R {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
    }
}
