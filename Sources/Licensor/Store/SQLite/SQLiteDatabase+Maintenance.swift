/// Schema bookkeeping and batch housekeeping through SQLite's PRAGMAs.
extension SQLiteDatabase {
    /// The embedded file is created by the first request, so that request migrates it.
    public var migratesOnFirstUse: Bool { true }

    /// `BEGIN IMMEDIATE` already holds the write lock, so migrators take turns without more.
    public func lockSchemaForMigration() throws(StoreError) {}

    public func schemaVersion() throws(StoreError) -> Int {
        try userVersion
    }

    public func setSchemaVersion(_ version: Int) throws(StoreError) {
        try execute("PRAGMA user_version = \(version)", [])
    }

    public func columns(of table: String) throws(StoreError) -> Set<String> {
        Set(try query("SELECT name FROM pragma_table_info($1)", [.text(table)]).compactMap { $0["name"] })
    }

    public func beginBatch() throws(StoreError) {
        // Each request keeps the WAL short for the next process's start; a batch in one process checkpoints at
        // SQLite's default size instead, about 60 sales apart.
        try query("PRAGMA wal_autocheckpoint=\(Self.batchAutocheckpointPages)", [])
    }

    public func flush() throws(StoreError) {
        try query("PRAGMA wal_checkpoint(FULL)", [])
    }
}
