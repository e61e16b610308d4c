/// A database failure, keeping the driver's own code (SQLite result code or PostgreSQL SQLSTATE) and message.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable identifier.
        public let rawValue: String

        public var description: String { rawValue }

        /// The database could not be opened or reached.
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

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        if let driverCode { return "\(message) (\(driverCode))" }
        return message
    }
}
