/// A database failure, keeping the driver's own code (SQLite result code or PostgreSQL SQLSTATE) and message.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier.
        package let rawValue: String

        package var description: String { rawValue }

        /// The database could not be opened or reached, or cannot take writes now (disk full, read-only, I/O
        /// error, connection lost): the data is fine and the same request succeeds once it is back.
        package static let unavailable = Code(rawValue: "unavailable")
        /// The database stayed locked or slow past the deadline.
        package static let timeout = Code(rawValue: "timeout")
        /// A statement failed.
        package static let query = Code(rawValue: "query")
        /// The schema is missing or older than this binary needs.
        package static let schema = Code(rawValue: "schema")
        /// Stored data could not be read back.
        package static let corrupt = Code(rawValue: "corrupt")
    }

    /// The kind of failure.
    package var code: Code
    /// The driver's code: a SQLite extended result code or a PostgreSQL SQLSTATE.
    package var driverCode: String?
    /// The driver's message.
    package var message: String
    /// The driver error underneath, when there is one.
    package var underlying: (any Error & Sendable)?

    /// Creates an error.
    package init(_ code: Code, _ message: String, driverCode: String? = nil, underlying: (any Error & Sendable)? = nil)
    {
        self.code = code
        self.message = message
        self.driverCode = driverCode
        self.underlying = underlying
    }

    /// Whether the database is out rather than the data wrong: only then may a request be spooled or a spool entry
    /// be kept for the next ingest, since a rejected one fails the same way every time and would block the rest.
    package var isOutage: Bool {
        code == .unavailable || code == .timeout || code == .schema
    }

    /// Whether `error` — a `StoreError`, or a `LicensorError` wrapping one — is an outage; any other error is
    /// taken as one, so that nothing is dropped for a reason this layer cannot judge.
    package static func isOutage(_ error: any Error) -> Bool {
        if let store = error as? StoreError { return store.isOutage }
        if let wrapped = (error as? LicensorError)?.underlying { return isOutage(wrapped) }
        return true
    }

    package var description: String {
        if let underlying { return "\(message): \(underlying)" }
        if let driverCode { return "\(message) (\(driverCode))" }
        return message
    }
}
