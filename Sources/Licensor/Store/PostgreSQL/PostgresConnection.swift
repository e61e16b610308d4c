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
public final class PostgresConnection: @unchecked Sendable {
    private var connection: OpaquePointer?

    /// How long a timed-out statement may take to acknowledge its cancel before the connection
    /// is closed instead; the extra time a `.timeout` can cost on top of the statement timeout.
    public var cancelGrace: Duration = .milliseconds(500)

    /// Whether the connection can still run statements (false after `close()` or a lost link).
    public var isOpen: Bool {
        guard let connection else { return false }
        return LibPQ.api.PQstatus(connection) == CONNECTION_OK
    }

    /// Connects to `url` (a URL, a `key=value` string, or empty for the `PG*` variables alone).
    ///
    /// Refused connections, unreachable sockets and bad databases throw `.connectionFailed`,
    /// rejected credentials `.authenticationFailed`, and running past `timeout` `.timeout`.
    /// `application_name` defaults to `licensor` (`fallback_application_name`, so a URL or
    /// `PGAPPNAME` may still name it); the client encoding is always UTF-8.
    public init(url: String, timeout: Duration) throws(PostgresError) {
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
            try PostgresConnection.drive(started, until: deadline, timeout: timeout)
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
    public func close() {
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
    public func query(
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
    public func transaction<T>(timeout: Duration, _ body: (PostgresConnection) throws -> T) throws -> T {
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

    // MARK: - Connecting

    /// Drives `PQconnectPoll` with `poll(2)` on the current socket until done or `deadline`.
    private static func drive(
        _ connection: OpaquePointer,
        until deadline: PostgresDeadline,
        timeout: Duration
    ) throws(PostgresError) {
        guard LibPQ.api.PQstatus(connection) != CONNECTION_BAD else {
            throw connectionError(connection)
        }
        var status = PGRES_POLLING_WRITING
        while true {
            let events: Int32
            switch status {
            case PGRES_POLLING_OK:
                return
            case PGRES_POLLING_FAILED:
                throw connectionError(connection)
            case PGRES_POLLING_READING:
                events = Int32(POLLIN)
            default:
                events = Int32(POLLOUT)
            }
            // libpq may switch sockets between calls (several hosts, SSL retry): ask every time.
            switch postgresWait(socket: LibPQ.api.PQsocket(connection), for: events, until: deadline) {
            case .ready:
                break
            case .timedOut:
                throw PostgresError(
                    .timeout,
                    "connecting to \(endpoint(connection)) did not finish within \(describe(timeout))")
            case .failed(let code):
                throw PostgresError(.connectionFailed, "waiting for the server failed: \(errorText(code))")
            }
            status = LibPQ.api.PQconnectPoll(connection)
        }
    }

    /// Rejects a malformed connection string before libpq can quote it (and its password) back.
    private static func validate(_ url: String) throws(PostgresError) {
        // The same test libpq applies to decide that dbname is a connection string.
        let isConnectionString =
            url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url.contains("=")
        guard isConnectionString else { return }
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = LibPQ.api.PQconninfoParse(url, &errorMessage) {
            LibPQ.api.PQconninfoFree(options)
            return
        }
        var message = "the connection string is invalid"
        if let errorMessage {
            message += ": " + redactQuoted(String(cString: errorMessage))
            LibPQ.api.PQfreemem(errorMessage)
        }
        throw PostgresError(.connectionFailed, message)
    }

    /// libpq quotes the offending piece of a bad connection string, which may be the password.
    static func redactQuoted(_ text: String) -> String {
        var result = ""
        var inQuotes = false
        for character in text {
            if character == "\"" {
                result.append(inQuotes ? "…\"" : "\"")
                inQuotes.toggle()
            } else if !inQuotes {
                result.append(character)
            }
        }
        return result
    }

    /// Turns libpq's (verbose) message about a failed connection into an error with its SQLSTATE.
    private static func connectionError(_ connection: OpaquePointer) -> PostgresError {
        let parsed = parseVerboseMessage(LibPQ.string(LibPQ.api.PQerrorMessage(connection)))
        let authenticationStates: Set<String> = ["28P01", "28000"]
        let authenticationPhrases = [
            // libpq's own words, and PgBouncer's, which reports a bad password as 08P01.
            "password authentication failed", "no password supplied", "SCRAM authentication",
            "SASL authentication failed", "authentication method requirement",
        ]
        let isAuthentication =
            parsed.sqlstate.map(authenticationStates.contains) ?? false
            || authenticationPhrases.contains { parsed.message.contains($0) }
        return PostgresError(
            isAuthentication ? .authenticationFailed : .connectionFailed, parsed.message,
            sqlstate: parsed.sqlstate)
    }

    /// Finds `SEVERITY:  CODE: text` in a verbose libpq message and drops the `LOCATION:` lines.
    static func parseVerboseMessage(_ text: String) -> (message: String, sqlstate: String?) {
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("LOCATION:") }
        var joined = lines.joined(separator: " ")
        // The server's severity is localised, so look for the shape `:  XXXXX: ` instead.
        var searchStart = joined.startIndex
        while let range = joined[searchStart...].firstRange(of: ":  ") {
            let codeStart = range.upperBound
            guard let codeEnd = joined.index(codeStart, offsetBy: 5, limitedBy: joined.endIndex),
                joined[codeEnd...].hasPrefix(": ")
            else {
                searchStart = range.upperBound
                continue
            }
            let code = joined[codeStart..<codeEnd]
            if code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
                let sqlstate = String(code)
                joined.removeSubrange(codeStart..<joined.index(codeEnd, offsetBy: 2))
                return (PostgresError.oneLine(joined), sqlstate)
            }
            searchStart = range.upperBound
        }
        return (PostgresError.oneLine(joined), nil)
    }

    // MARK: - Running statements

    /// Pushes the queued statement out on the non-blocking socket.
    private func flush(
        _ connection: OpaquePointer,
        until deadline: PostgresDeadline,
        timeout: Duration
    ) throws(PostgresError) {
        while true {
            let flushed = LibPQ.api.PQflush(connection)
            if flushed == 0 {
                return
            }
            if flushed < 0 {
                throw failure(connection)
            }
            let events = Int32(POLLIN) | Int32(POLLOUT)
            switch postgresWait(socket: LibPQ.api.PQsocket(connection), for: events, until: deadline) {
            case .ready:
                // The server may be sending (notices, an early error) while we write; read it so
                // that neither side fills its buffer and waits on the other.
                guard LibPQ.api.PQconsumeInput(connection) == 1 else {
                    throw failure(connection)
                }
            case .timedOut:
                // Half a message is on the wire: the protocol cannot recover, so give up the link.
                close()
                throw PostgresError(
                    .timeout, "sending the statement did not finish within \(Self.describe(timeout)); closed")
            case .failed(let code):
                close()
                throw PostgresError(.connectionFailed, "waiting for the server failed: \(Self.errorText(code))")
            }
        }
    }

    /// Waits for and reads every result of the statement, keeping the first error.
    private func collect(
        _ connection: OpaquePointer,
        until deadline: PostgresDeadline,
        timeout: Duration
    ) throws(PostgresError) -> PostgresResult {
        var outcome: PostgresResult?
        var firstError: PostgresError?
        while true {
            switch waitUntilIdle(connection, until: deadline) {
            case .ready:
                break
            case .timedOut:
                throw abandon(connection, timeout: timeout)
            case .failed(let code):
                close()
                throw PostgresError(.connectionFailed, "waiting for the server failed: \(Self.errorText(code))")
            }
            // Not busy (or the link is gone), so PQgetResult returns without waiting.
            guard let result = LibPQ.api.PQgetResult(connection) else {
                break
            }
            defer { LibPQ.api.PQclear(result) }
            let status = LibPQ.api.PQresultStatus(result)
            switch status {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                if outcome == nil {
                    outcome = PostgresResult(copying: result)
                }
            case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
                if firstError == nil {
                    firstError = Self.serverError(result)
                }
            case PGRES_BAD_RESPONSE:
                if firstError == nil {
                    firstError = PostgresError(
                        .protocolError, Self.resultMessage(result, or: "the server sent a response libpq cannot read"))
                }
            default:
                // COPY and the like would hold the connection in a mode this layer does not speak.
                close()
                throw PostgresError(
                    .protocolError, "unsupported result status \(LibPQ.string(LibPQ.api.PQresStatus(status)))")
            }
        }
        if LibPQ.api.PQstatus(connection) == CONNECTION_BAD {
            let message = firstError?.message ?? LibPQ.string(LibPQ.api.PQerrorMessage(connection))
            let sqlstate = firstError?.sqlstate
            close()
            throw PostgresError(.connectionFailed, message, sqlstate: sqlstate)
        }
        if let firstError {
            throw firstError
        }
        return outcome ?? PostgresResult(columns: [], rows: [], affectedRows: 0, commandTag: "")
    }

    /// Reads input until libpq holds a whole result; `.ready` also when the link broke meanwhile.
    private func waitUntilIdle(_ connection: OpaquePointer, until deadline: PostgresDeadline) -> PostgresWaitOutcome {
        while LibPQ.api.PQisBusy(connection) != 0 {
            let waited = postgresWait(socket: LibPQ.api.PQsocket(connection), for: Int32(POLLIN), until: deadline)
            guard waited == .ready else {
                return waited
            }
            // On failure libpq marks the connection bad and PQgetResult reports the reason.
            guard LibPQ.api.PQconsumeInput(connection) == 1 else {
                return .ready
            }
        }
        return .ready
    }

    /// Cancels the timed-out statement and drains it, or closes the connection if that is slow.
    private func abandon(_ connection: OpaquePointer, timeout: Duration) -> PostgresError {
        let grace = PostgresDeadline(after: cancelGrace)
        let cancelDone = PostgresCancel.start(on: connection)
        var drained = false
        draining: while true {
            guard waitUntilIdle(connection, until: grace) == .ready else {
                break draining
            }
            guard let result = LibPQ.api.PQgetResult(connection) else {
                drained = true
                break draining
            }
            LibPQ.api.PQclear(result)
        }
        // Waiting for the cancel's answer keeps a late cancel from hitting the next statement.
        var cancelAnswered = false
        if let cancelDone {
            cancelAnswered = postgresWait(socket: cancelDone, for: Int32(POLLIN), until: grace) == .ready
            Glibc.close(cancelDone)
        }
        var message = "the statement did not finish within \(Self.describe(timeout)) and was cancelled"
        if !(drained && cancelAnswered && LibPQ.api.PQstatus(connection) == CONNECTION_OK) {
            close()
            message += "; the connection was closed"
        }
        return PostgresError(.timeout, message)
    }

    /// The error for a failed libpq call: `.connectionFailed` once the link is gone.
    private func failure(_ connection: OpaquePointer) -> PostgresError {
        let message = LibPQ.string(LibPQ.api.PQerrorMessage(connection))
        guard LibPQ.api.PQstatus(connection) == CONNECTION_OK else {
            close()
            return PostgresError(.connectionFailed, message.isEmpty ? "the connection was lost" : message)
        }
        return PostgresError(.query, message.isEmpty ? "libpq refused the statement" : message)
    }

    /// The server's error fields; class 08 (connection exception) counts as a lost connection.
    private static func serverError(_ result: OpaquePointer) -> PostgresError {
        let sqlstate = field(result, "C")
        let message = field(result, "M") ?? resultMessage(result, or: "the statement failed")
        let code: PostgresError.Code = sqlstate?.hasPrefix("08") == true ? .connectionFailed : .query
        return PostgresError(
            code, message, sqlstate: sqlstate, detail: field(result, "D"), constraint: field(result, "n"))
    }

    private static func field(_ result: OpaquePointer, _ name: Unicode.Scalar) -> String? {
        guard let value = LibPQ.api.PQresultErrorField(result, Int32(name.value)) else {
            return nil
        }
        return String(cString: value)
    }

    private static func resultMessage(_ result: OpaquePointer, or fallback: String) -> String {
        let message = PostgresError.oneLine(LibPQ.string(LibPQ.api.PQresultErrorMessage(result)))
        return message.isEmpty ? fallback : message
    }

    // MARK: - Helpers

    /// Where libpq is connecting, for messages: host (or socket directory) and port, no secrets.
    private static func endpoint(_ connection: OpaquePointer) -> String {
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

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Calls `body` with C copies of `strings` plus a terminating NULL (`nil` stays a NULL pointer).
    private static func withCStrings<R>(
        _ strings: [String?],
        _ body: ([UnsafePointer<CChar>?]) -> R
    ) -> R {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } } + [nil])
    }
}
