/// Schema bookkeeping in the `licensor_schema` table, serialised by a transaction-scoped advisory lock; nothing
/// outlives the transaction, so it is safe through PgBouncer in transaction mode.
extension PostgresDatabase {
    /// A shared server is migrated by the operator (`licensor migrate`), never by a request.
    package var migratesOnFirstUse: Bool { false }

    package func lockSchemaForMigration() throws(StoreError) {
        // One migrator at a time; the lock ends with the transaction, so nothing lingers in a pooled session.
        try query("SELECT pg_advisory_xact_lock(7283901)", [])
        try execute(
            "CREATE TABLE IF NOT EXISTS licensor_schema (version INTEGER NOT NULL, "
                + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())", [])
    }

    package func schemaVersion() throws(StoreError) -> Int {
        // Read after `lockSchemaForMigration`, which creates the table.
        let rows = try query("SELECT coalesce(max(version), 0) AS v FROM licensor_schema", [])
        return Int(rows.first?["v"] ?? "0") ?? 0
    }

    package func setSchemaVersion(_ version: Int) throws(StoreError) {
        try execute("INSERT INTO licensor_schema (version) VALUES ($1)", [.integer(Int64(version))])
    }

    package func columns(of table: String) throws(StoreError) -> Set<String> {
        let rows = try query(
            "SELECT column_name AS name FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND table_name = $1", [.text(table)])
        return Set(rows.compactMap { $0["name"] })
    }

    /// Every commit is durable already; nothing to defer.
    package func beginBatch() throws(StoreError) {}

    package func flush() throws(StoreError) {}
}
