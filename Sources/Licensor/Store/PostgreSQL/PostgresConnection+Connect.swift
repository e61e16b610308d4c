import CPostgreSQL
import Glibc

/// Connecting: driving libpq's non-blocking connect, and turning its failures into `PostgresError`s that hold
/// no secret.
extension PostgresConnection {
    /// Drives `PQconnectPoll` with `poll(2)` on the current socket until done or `deadline`, running
    /// `whileWaiting` once, the first time libpq waits for the server to answer.
    static func drive(
        _ connection: OpaquePointer,
        until deadline: PostgresDeadline,
        timeout: Duration,
        whileWaiting: (() -> Void)? = nil
    ) throws(PostgresError) {
        var whileWaiting = whileWaiting
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
                // The server is forking a backend or checking the password: time the request can use.
                whileWaiting?()
                whileWaiting = nil
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
    static func validate(_ url: String) throws(PostgresError) {
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
    static func connectionError(_ connection: OpaquePointer) -> PostgresError {
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
}
