import CPostgreSQL
import Glibc

/// Running statements: sending, waiting on the socket within the deadline, collecting results, cancelling.
extension PostgresConnection {
    /// Pushes the queued statement out on the non-blocking socket.
    func flush(
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
    func collect(
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
    func waitUntilIdle(_ connection: OpaquePointer, until deadline: PostgresDeadline) -> PostgresWaitOutcome {
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
    func abandon(_ connection: OpaquePointer, timeout: Duration) -> PostgresError {
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
    func failure(_ connection: OpaquePointer) -> PostgresError {
        let message = LibPQ.string(LibPQ.api.PQerrorMessage(connection))
        guard LibPQ.api.PQstatus(connection) == CONNECTION_OK else {
            close()
            return PostgresError(.connectionFailed, message.isEmpty ? "the connection was lost" : message)
        }
        return PostgresError(.query, message.isEmpty ? "libpq refused the statement" : message)
    }

    /// The server's error fields; class 08 (connection exception) counts as a lost connection.
    static func serverError(_ result: OpaquePointer) -> PostgresError {
        let sqlstate = field(result, "C")
        let message = field(result, "M") ?? resultMessage(result, or: "the statement failed")
        let code: PostgresError.Code = sqlstate?.hasPrefix("08") == true ? .connectionFailed : .query
        return PostgresError(
            code, message, sqlstate: sqlstate, detail: field(result, "D"), constraint: field(result, "n"))
    }

    static func field(_ result: OpaquePointer, _ name: Unicode.Scalar) -> String? {
        guard let value = LibPQ.api.PQresultErrorField(result, Int32(name.value)) else {
            return nil
        }
        return String(cString: value)
    }

    static func resultMessage(_ result: OpaquePointer, or fallback: String) -> String {
        let message = PostgresError.oneLine(LibPQ.string(LibPQ.api.PQresultErrorMessage(result)))
        return message.isEmpty ? fallback : message
    }
}
