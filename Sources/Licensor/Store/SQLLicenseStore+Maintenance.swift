/// Schema, health and durability; what differs between the databases is asked of the driver.
extension SQLLicenseStore: StoreMaintenance {
    package func close() { db.close() }

    package func bound(by deadline: Deadline) { db.bound(by: deadline) }

    package var isReusable: Bool { db.isReusable }

    package func ping() throws(StoreError) {
        try db.query("SELECT 1", [])
    }

    package func migrate() throws(StoreError) {
        try db.withTransaction { () throws(StoreError) in
            try db.lockSchemaForMigration()
            let from = try db.schemaVersion()
            let migrations = Schema.migrations(for: dialect)
            guard from < migrations.count else { return }
            var existing: [String: Set<String>] = [:]
            for version in from..<migrations.count {
                for statement in migrations[version] {
                    if let (table, column) = Self.addedColumn(in: statement) {
                        if existing[table] == nil { existing[table] = try db.columns(of: table) }
                        if existing[table]!.contains(column) { continue }
                        existing[table]!.insert(column)
                    }
                    try db.execute(statement, [])
                }
            }
            try db.setSchemaVersion(migrations.count)
        }
    }

    package func prepareForUse() throws(StoreError) {
        guard db.migratesOnFirstUse else { return }
        if try db.schemaVersion() < Schema.currentVersion { try migrate() }
    }

    package func beginBatch() throws(StoreError) {
        try db.beginBatch()
    }

    package func flush() throws(StoreError) {
        try db.flush()
    }

    /// The (table, column) an `ALTER TABLE t ADD COLUMN c …` adds, so a column that exists already (a database an
    /// older build half-migrated) is skipped; neither database has a portable `ADD COLUMN IF NOT EXISTS`.
    private static func addedColumn(in statement: String) -> (table: String, column: String)? {
        let words = statement.split(separator: " ")
        guard words.count >= 6, words[0] == "ALTER", words[1] == "TABLE", words[3] == "ADD", words[4] == "COLUMN"
        else { return nil }
        return (String(words[2]), String(words[5]))
    }
}
