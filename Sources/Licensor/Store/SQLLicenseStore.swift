/// The license store, written once in SQL that both SQLite and PostgreSQL accept; one file per seam it
/// implements (`+AuditLog`, `+Licenses`, `+EmailLedger`, `+Maintenance`).
///
/// Every statement is parameterised and self-contained (no session state), so it also runs through PgBouncer in
/// transaction mode. What differs between the databases sits behind `SQLDatabase` and `SQLDialect`.
package final class SQLLicenseStore {
    let db: any SQLDatabase
    var dialect: SQLDialect { db.dialect }

    /// Wraps an open connection.
    package init(database: any SQLDatabase) {
        self.db = database
    }
}
