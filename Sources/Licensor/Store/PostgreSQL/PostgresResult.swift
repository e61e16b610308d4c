import CPostgreSQL

/// The rows and status of one finished statement, copied out of libpq's `PGresult`.
///
/// Values are in PostgreSQL's text format (the statement is sent with text results), decoded as
/// UTF-8 because the connection always asks for `client_encoding=UTF8`.
package struct PostgresResult: Sendable {
    /// Column names in result order.
    package var columns: [String]
    /// One array per row, one value per column; SQL NULL is `nil`.
    package var rows: [[String?]]
    /// Rows inserted, updated, deleted, selected… (`PQcmdTuples`); 0 for commands that count none.
    package var affectedRows: Int
    /// The command tag, such as `INSERT 0 1` or `COMMIT` (`PQcmdStatus`).
    package var commandTag: String

    /// Makes a result by hand, for code that adapts other stores to the same shape.
    package init(columns: [String], rows: [[String?]], affectedRows: Int, commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    /// Copies everything out of `result`; the caller still owns and clears it.
    init(copying result: OpaquePointer) {
        let rowCount = LibPQ.api.PQntuples(result)
        let columnCount = LibPQ.api.PQnfields(result)
        columns = (0..<columnCount).map { LibPQ.string(LibPQ.api.PQfname(result, $0)) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column -> String? in
                if LibPQ.api.PQgetisnull(result, row, column) != 0 {
                    return nil
                }
                let bytes = UnsafeRawBufferPointer(
                    start: LibPQ.api.PQgetvalue(result, row, column),
                    count: Int(LibPQ.api.PQgetlength(result, row, column))
                )
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        affectedRows = Int(LibPQ.string(LibPQ.api.PQcmdTuples(result))) ?? 0
        commandTag = LibPQ.string(LibPQ.api.PQcmdStatus(result))
    }

    /// The position of the first column called `name`, if there is one.
    package func columnIndex(_ name: String) -> Int? {
        columns.firstIndex(of: name)
    }

    /// The value in `row` under the column `name`; `nil` for SQL NULL or for an unknown column.
    package subscript(row row: Int, column name: String) -> String? {
        guard let index = columnIndex(name), rows.indices.contains(row) else {
            return nil
        }
        return rows[row][index]
    }
}
