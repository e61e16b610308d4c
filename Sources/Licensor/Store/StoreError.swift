/// A database failure, keeping the driver's own code (SQLite result code or PostgreSQL SQLSTATE) and message.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier.
        public let rawValue: String

        public var description: String { rawValue }

        /// The database could not be opened or reached, or cannot take writes now (disk full, read-only, I/O
        /// error, connection lost): the data is fine and the same request succeeds once it is back.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The database stayed locked or slow past the deadline.
        public static let timeout = Code(rawValue: "timeout")
        /// A statement failed.
        public static let query = Code(rawValue: "query")
        /// The schema is missing or older than this binary needs.
        public static let schema = Code(rawValue: "schema")
        /// Stored data could not be read back.
        public static let corrupt = Code(rawValue: "corrupt")
    }

    /// The kind of failure.
    public var code: Code
    /// The driver's code: a SQLite extended result code or a PostgreSQL SQLSTATE.
    public var driverCode: String?
    /// The driver's message.
    public var message: String
    /// The driver error underneath, when there is one.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, driverCode: String? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.driverCode = driverCode
        self.underlying = underlying
    }

    /// Whether the database is out rather than the data wrong: only then may a request be spooled or a spool entry
    /// be kept for the next ingest, since a rejected one fails the same way every time and would block the rest.
    public var isOutage: Bool {
        code == .unavailable || code == .timeout || code == .schema
    }

    /// Whether `error` — a `StoreError`, or a `LicensorError` wrapping one — is an outage; any other error is
    /// taken as one, so that nothing is dropped for a reason this layer cannot judge.
    public static func isOutage(_ error: any Error) -> Bool {
        if let store = error as? StoreError { return store.isOutage }
        if let wrapped = (error as? LicensorError)?.underlying { return isOutage(wrapped) }
        return true
    }

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        if let driverCode { return "\(message) (\(driverCode))" }
        return message
    }
}
