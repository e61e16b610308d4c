/// `SQLDatabase` over one libpq connection; every statement is bounded by what is left of the invocation's
/// deadline.
package final class PostgresDatabase: SQLDatabase {
    package let dialect = SQLDialect.postgres
    private let connection: PostgresConnection
    private var deadline: Deadline

    /// Connects within the time left of `deadline`, running `whileConnecting` once while the server works.
    package init(url: String, deadline: Deadline, whileConnecting: (() -> Void)? = nil) throws(StoreError) {
        self.deadline = deadline
        do {
            connection = try PostgresConnection(url: url, timeout: deadline.remaining, whileWaiting: whileConnecting)
        } catch {
            throw Self.storeError(error, "cannot connect to PostgreSQL")
        }
    }

    deinit { connection.close() }

    package func close() { connection.close() }

    @discardableResult
    package func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let result = try run(sql, parameters)
        return result.rows.map { SQLRow(columns: result.columns, values: $0) }
    }

    @discardableResult
    package func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        try run(sql, parameters).affectedRows
    }

    package func bound(by deadline: Deadline) { self.deadline = deadline }

    package var isReusable: Bool { connection.isIdleAndAlive }

    package let beginStatement = "BEGIN"

    /// Every PostgreSQL commit is durable already.
    package func durably<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try body()
    }

    private func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> PostgresResult {
        guard !deadline.hasExpired else {
            throw StoreError(.timeout, "PostgreSQL statement not started: the invocation deadline passed")
        }
        do {
            return try connection.query(sql, parameters.map(\.textValue), timeout: deadline.remaining)
        } catch {
            throw Self.storeError(error, "PostgreSQL statement failed")
        }
    }

    /// SQLSTATEs that say the server cannot do the work now, not that the data is wrong: connection exceptions (08),
    /// transaction rollbacks such as deadlocks (40), insufficient resources such as a full disk (53), operator
    /// intervention such as a shutdown (57), system errors (58), internal errors (XX), a read-only transaction
    /// (25006) and a lock not available (55P03).
    static func isOutage(sqlstate: String?) -> Bool {
        guard let sqlstate else { return false }
        return ["08", "40", "53", "57", "58", "XX"].contains(String(sqlstate.prefix(2)))
            || sqlstate == "25006" || sqlstate == "55P03"
    }

    private static func storeError(_ error: PostgresError, _ what: String) -> StoreError {
        let code: StoreError.Code =
            switch error.code {
            case .timeout: .timeout
            case .connectionFailed, .authenticationFailed: .unavailable
            case .query where isOutage(sqlstate: error.sqlstate): .unavailable
            default: .query
            }
        return StoreError(code, what, driverCode: error.sqlstate, underlying: error)
    }
}
