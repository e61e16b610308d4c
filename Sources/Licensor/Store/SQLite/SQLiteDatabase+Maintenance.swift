/// Schema bookkeeping and batch housekeeping through SQLite's PRAGMAs.
extension SQLiteDatabase {
    /// The embedded file is created by the first request, so that request migrates it.
    package var migratesOnFirstUse: Bool { true }

    /// `BEGIN IMMEDIATE` already holds the write lock, so migrators take turns without more.
    package func lockSchemaForMigration() throws(StoreError) {}

    package func schemaVersion() throws(StoreError) -> Int {
        try userVersion
    }

    package func setSchemaVersion(_ version: Int) throws(StoreError) {
        try execute("PRAGMA user_version = \(version)", [])
    }

    package func columns(of table: String) throws(StoreError) -> Set<String> {
        Set(try query("SELECT name FROM pragma_table_info($1)", [.text(table)]).compactMap { $0["name"] })
    }

    package func beginBatch() throws(StoreError) {
        // Each request keeps the WAL short for the next process's start; a batch in one process checkpoints at
        // SQLite's default size instead, about 60 sales apart.
        try query("PRAGMA wal_autocheckpoint=\(Self.batchAutocheckpointPages)", [])
    }

    package func flush() throws(StoreError) {
        try query("PRAGMA wal_checkpoint(FULL)", [])
    }
}
