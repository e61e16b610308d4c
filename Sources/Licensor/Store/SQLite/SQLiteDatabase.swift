import CSQLite
import Glibc

/// A SQLite connection in WAL mode with a busy timeout, so concurrent licensor processes wait for each other
/// instead of failing — but, under a deadline, never past it: each statement may wait only what is left.
package final class SQLiteDatabase: SQLDatabase {
    package let dialect = SQLDialect.sqlite
    /// The database file.
    package let path: String
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text: replay runs the same dozen statements thousands of times. PRAGMAs and
    /// transaction control are not cached.
    private var statements: [String: OpaquePointer] = [:]
    /// When set, the busy timeout is renewed before each statement to what is left of it.
    private var deadline: Deadline?

    /// Opens (creating if needed) the database file; every statement waits for another writer at most what is left
    /// of `deadline`, so several blocked statements together still end at the deadline.
    package convenience init(path: String, deadline: Deadline) throws(StoreError) {
        try self.init(path: path, busyTimeout: deadline.remaining, deadline: deadline)
    }

    /// Opens (creating if needed) the database file; each statement waits at most `busyTimeout` for another writer
    /// (for tools and tests that hold a connection with no invocation deadline).
    package convenience init(path: String, busyTimeout: Duration) throws(StoreError) {
        try self.init(path: path, busyTimeout: busyTimeout, deadline: nil)
    }

    private init(path: String, busyTimeout: Duration, deadline: Deadline?) throws(StoreError) {
        self.path = path
        self.deadline = deadline
        // The file holds buyers' emails and license keys: create it 0600 ourselves (an empty file is an empty
        // database), since SQLite would make it 0644 and gives its -wal and -shm files the main file's mode.
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 { Glibc.close(created) }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError(
                .unavailable, "cannot open SQLite database \(path): \(message)", driverCode: "SQLITE \(rc)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        // Each licensor process is usually the only connection, so each one rebuilds the WAL index by reading the
        // frames written since the last checkpoint. A small automatic checkpoint keeps that read short; checkpointing
        // on every close instead would cost two more fsyncs per request. The WAL file is kept (not deleted or
        // truncated) when emptied: re-creating it costs a directory fsync, and freeing its blocks a discard.
        var persistWAL: Int32 = 1
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persistWAL)
        CSQLite_set_checkpoint_on_close(db, 0)
        sqlite3_wal_autocheckpoint(db, Self.autocheckpointPages)
        sqlite3_busy_timeout(db, Int32(clamping: Deadline.milliseconds(busyTimeout, minimum: 1)))
        do {
            // WAL lets readers and one writer overlap; the setting is stored in the file, so this is a no-op after
            // the first process sets it.
            try query("PRAGMA journal_mode=WAL", [])
            // In WAL mode NORMAL fsyncs only at checkpoints; the store asks for FULL around the commits that must
            // survive a power cut (the email claim before a send, the final mark before the answer), whose fsync
            // also covers every earlier frame.
            try query("PRAGMA synchronous=NORMAL", [])
        } catch {
            close()
            throw error
        }
    }

    /// WAL pages after which a commit checkpoints: a few sales' worth, so rebuilding the WAL index on open reads
    /// at most a few hundred kilobytes.
    static let autocheckpointPages: Int32 = 128

    /// The same threshold for a batch in one process (replay, through `LicenseStore.beginBatch`): SQLite's default,
    /// since that process rebuilds the WAL index only once.
    static let batchAutocheckpointPages: Int32 = 1000

    deinit { close() }

    package func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    @discardableResult
    package func query(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        try run(sql, parameters).rows
    }

    @discardableResult
    package func execute(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        try run(sql, parameters).changes
    }

    package func bound(by deadline: Deadline) { self.deadline = deadline }

    /// Open and outside a transaction: nothing an earlier invocation began is left for the next one.
    package var isReusable: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) != 0
    }

    /// IMMEDIATE takes the write lock at BEGIN, so two writers wait on the busy timeout instead of deadlocking.
    package let beginStatement = "BEGIN IMMEDIATE"

    /// Runs `body` with every commit fsynced before it returns.
    package func durably<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try query("PRAGMA synchronous=FULL", [])
        defer { _ = try? query("PRAGMA synchronous=NORMAL", []) }
        return try body()
    }

    /// The schema version kept in the file header, read without touching any table.
    package var userVersion: Int {
        get throws(StoreError) {
            Int(try query("PRAGMA user_version", []).first?.values.first??.description ?? "0") ?? 0
        }
    }

    private func failure(_ what: String, _ rc: Int32) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "database is closed"
        let code: StoreError.Code =
            switch rc & 0xFF {
            case SQLITE_BUSY, SQLITE_LOCKED: .timeout
            // The file cannot take the write now (EFBIG and ENOSPC are SQLITE_FULL); the statement is fine.
            case SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_NOMEM, SQLITE_PROTOCOL,
                SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_NOLFS:
                .unavailable
            default: .query
            }
        return StoreError(code, "SQLite \(what) failed: \(message)", driverCode: "SQLITE \(rc)")
    }

    private func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> (rows: [SQLRow], changes: Int) {
        guard let handle else { throw StoreError(.unavailable, "SQLite database is closed") }
        let cacheable = !sql.hasPrefix("PRAGMA") && !sql.hasPrefix("BEGIN") && sql != "COMMIT" && sql != "ROLLBACK"
        let statement: OpaquePointer
        if cacheable, let cached = statements[sql] {
            statement = cached
        } else {
            var prepared: OpaquePointer?
            let rc = sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw failure("prepare", rc) }
            statement = prepared
            if cacheable { statements[sql] = prepared }
        }
        defer {
            if cacheable {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        try bind(parameters, to: statement)
        if let deadline {
            sqlite3_busy_timeout(handle, Int32(clamping: deadline.remainingMilliseconds()))
        }
        var rows: [SQLRow] = []
        let columnCount = sqlite3_column_count(statement)
        let columns = (0..<columnCount).map { String(cString: sqlite3_column_name(statement, $0)) }
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw failure("statement", step) }
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for i in 0..<columnCount {
                if sqlite3_column_type(statement, i) == SQLITE_NULL {
                    values.append(nil)
                } else if let text = sqlite3_column_text(statement, i) {
                    let count = Int(sqlite3_column_bytes(statement, i))
                    values.append(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
                } else {
                    values.append("")
                }
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return (rows, Int(sqlite3_changes(handle)))
    }

    /// Binds `$N` placeholders by name, so a statement may use a parameter more than once or out of order.
    private func bind(_ parameters: [SQLValue], to statement: OpaquePointer) throws(StoreError) {
        for (offset, value) in parameters.enumerated() {
            let index = sqlite3_bind_parameter_index(statement, "$\(offset + 1)")
            guard index > 0 else { continue }
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let i): rc = sqlite3_bind_int64(statement, index, i)
            case .text(let s):
                // With the byte length, not -1: SQLite would stop at a NUL, and `C\0A` and `C\0B` would collide.
                rc = s.withCString {
                    sqlite3_bind_text(statement, index, $0, Int32(clamping: s.utf8.count), CSQLite_transient())
                }
            }
            guard rc == SQLITE_OK else { throw failure("bind", rc) }
        }
    }
}
