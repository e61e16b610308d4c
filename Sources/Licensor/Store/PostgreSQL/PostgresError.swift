/// An error from the PostgreSQL connection layer, with the server's SQLSTATE where there is one.
///
/// The HTTP layer answers 503 for `.connectionFailed`, `.authenticationFailed` and `.timeout` (the
/// database is unavailable, so Gumroad should retry) and treats `.query` as a bug or a data problem.
/// Nothing in an error ever holds the password or the connection string.
package struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; compare with `==` against the static values.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The server could not be reached, refused the connection, or dropped it.
        package static let connectionFailed = Code("connectionFailed")
        /// The server rejected the credentials (SQLSTATE 28P01 or 28000, or no password was supplied).
        package static let authenticationFailed = Code("authenticationFailed")
        /// Connecting or a statement did not finish within the allowed time.
        package static let timeout = Code("timeout")
        /// The server rejected a statement; `sqlstate` says why.
        package static let query = Code("query")
        /// Something the server or libpq did that this layer does not expect (COPY, a bad response).
        package static let protocolError = Code("protocolError")

        /// The code's name, as written in Swift.
        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// The five-character SQLSTATE (`PG_DIAG_SQLSTATE`), when the server sent one.
    package var sqlstate: String?
    /// The primary message (`PG_DIAG_MESSAGE_PRIMARY`, or libpq's own text), on one line.
    package var message: String
    /// The server's detail line (`PG_DIAG_MESSAGE_DETAIL`), when it sent one; may hold row values.
    package var detail: String?
    /// The constraint a statement violated (`PG_DIAG_CONSTRAINT_NAME`), when there is one.
    package var constraint: String?

    /// Makes an error; `message` and `detail` are folded onto one line.
    package init(
        _ code: Code,
        _ message: String,
        sqlstate: String? = nil,
        detail: String? = nil,
        constraint: String? = nil
    ) {
        self.code = code
        self.message = PostgresError.oneLine(message)
        self.sqlstate = sqlstate
        self.detail = detail.map(PostgresError.oneLine)
        self.constraint = constraint
    }

    /// One line such as `postgres: query failed (SQLSTATE 23505): duplicate key value violates …`.
    ///
    /// `detail` is left out on purpose: the server puts row values there (`Key (email)=(…)`),
    /// which are customer data; callers that want it read the field.
    package var description: String {
        var text = "postgres: " + PostgresError.summary(of: code)
        if let sqlstate {
            text += " (SQLSTATE \(sqlstate))"
        }
        return text + ": " + message
    }

    /// Whether the database is unavailable rather than the statement wrong: the caller answers 503.
    package var isUnavailable: Bool {
        code == .connectionFailed || code == .authenticationFailed || code == .timeout
    }

    private static func summary(of code: Code) -> String {
        switch code {
        case .connectionFailed: "connection failed"
        case .authenticationFailed: "authentication failed"
        case .timeout: "timed out"
        case .query: "query failed"
        case .protocolError: "protocol error"
        default: code.description
        }
    }

    /// libpq messages end in newlines and indent hints with tabs; a log line needs one line.
    static func oneLine(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace {
                    result.append(" ")
                    pendingSpace = false
                }
                result.append(character)
            }
        }
        return result
    }
}
