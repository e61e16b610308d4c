/// A value bound to a statement parameter; everything travels as text or integer so one SQL text serves both
/// SQLite and PostgreSQL.
package enum SQLValue: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    case integer(Int64)
    case null

    package init(stringLiteral value: String) { self = .text(value) }

    /// `.text` for a value, `.null` for nil.
    package static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }

    /// The value as text for drivers that bind everything as text.
    var textValue: String? {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .null: nil
        }
    }
}

/// One row of a result, columns as text (NULL is nil).
package struct SQLRow: Sendable {
    /// Column names in select order.
    package let columns: [String]
    /// Column values in select order.
    package let values: [String?]

    /// The value of the named column.
    package subscript(_ name: String) -> String? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return values[i]
    }
}

/// The SQL spellings that differ between the two databases.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// A timestamp parameter in the column's storage format.
    ///
    /// SQLite keeps SQLAlchemy's naive-UTC text form so the seed's Python service still reads what licensor writes.
    func timestamp(_ date: Timestamp) -> SQLValue {
        switch self {
        case .sqlite: .text(date.sqlText)
        case .postgres: .text(date.sqlText + "+00")
        }
    }

    /// A select expression giving the column as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC.
    func selectTimestamp(_ column: String) -> String {
        switch self {
        case .sqlite: column
        case .postgres: "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS \(column)"
        }
    }

    /// A select expression giving a JSON column as text.
    func selectJSON(_ column: String) -> String {
        switch self {
        case .sqlite: column
        case .postgres: "\(column)::text AS \(column)"
        }
    }

    /// A parameter cast so PostgreSQL stores it as JSONB.
    func jsonParameter(_ placeholder: String) -> String {
        switch self {
        case .sqlite: placeholder
        case .postgres: "\(placeholder)::jsonb"
        }
    }

    /// A condition true when a text column holds a character outside ASCII (characters and bytes differ in count).
    func hasNonASCII(_ column: String) -> String {
        switch self {
        case .sqlite: "length(\(column)) <> length(CAST(\(column) AS BLOB))"
        case .postgres: "length(\(column)) <> octet_length(\(column))"
        }
    }

    /// A select expression giving a Boolean column as `1` or `0`.
    func selectBool(_ column: String) -> String {
        switch self {
        case .sqlite: column
        case .postgres: "CASE WHEN \(column) THEN 1 ELSE 0 END AS \(column)"
        }
    }
}

/// A connection that runs parameterised SQL with `$1`, `$2` … placeholders.
///
/// Implemented by the SQLite and PostgreSQL drivers; the license store is written once on top of it.
package protocol SQLDatabase: AnyObject {
    /// Which SQL spellings to use.
    var dialect: SQLDialect { get }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow]

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int

    /// The statement that opens a transaction which takes the write lock at once.
    var beginStatement: String { get }

    /// Runs `body` so that its commits are on stable storage when it returns (SQLite defers fsyncs otherwise).
    func durably<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T

    /// Closes the connection.
    func close()

    /// Bounds every later statement by `deadline`: a warm Lambda process keeps one connection across invocations,
    /// each with its own deadline.
    func bound(by deadline: Deadline)
    /// Whether the connection can serve another invocation: open, outside any transaction, its link not lost.
    var isReusable: Bool { get }

    // Schema bookkeeping and durability, which each database spells its own way (PRAGMAs on SQLite, a table and an
    // advisory lock on PostgreSQL); the generic store asks for them by name.

    /// Whether a first request may migrate an empty or old schema by itself (the embedded SQLite file).
    var migratesOnFirstUse: Bool { get }
    /// Inside the migration's transaction: makes migrators run one at a time and readies the version record.
    func lockSchemaForMigration() throws(StoreError)
    /// The schema version recorded in the database, 0 when none.
    func schemaVersion() throws(StoreError) -> Int
    /// Records the schema version.
    func setSchemaVersion(_ version: Int) throws(StoreError)
    /// The column names of a table in the current schema.
    func columns(of table: String) throws(StoreError) -> Set<String>
    /// Prepares for many commits in a row (a replay): the driver may defer its housekeeping until `flush()`.
    func beginBatch() throws(StoreError)
    /// Puts every earlier commit on stable storage.
    func flush() throws(StoreError)
}

extension SQLDatabase {
    /// Runs `body` in one transaction, committing on success and rolling back on any error.
    package func withTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute(beginStatement, [])
        do {
            let value = try body()
            try execute("COMMIT", [])
            return value
        } catch {
            _ = try? execute("ROLLBACK", [])
            throw error
        }
    }
}
