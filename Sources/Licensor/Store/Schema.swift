/// The schema: the seed service's two tables exactly (its SQLAlchemy models' `create_all`), then licensor's additive
/// changes. Each list entry is one version; nothing here may change what the seed's service reads.
enum Schema {
    /// The version this binary writes and expects.
    static var currentVersion: Int { migrations(for: .sqlite).count }

    /// The statements of each version, in order, for a dialect.
    static func migrations(for dialect: SQLDialect) -> [[String]] {
        switch dialect {
        case .sqlite:
            [
                seedSQLite, licensorColumns(timestamp: "DATETIME"), renewals(timestamp: "DATETIME"), exactBodies,
                storefrontEvents(dialect), instances(timestamp: "DATETIME"),
            ]
        case .postgres:
            [
                seedPostgres, licensorColumns(timestamp: "TIMESTAMP WITH TIME ZONE"),
                renewals(timestamp: "TIMESTAMP WITH TIME ZONE"), exactBodies, storefrontEvents(dialect),
                instances(timestamp: "TIMESTAMP WITH TIME ZONE"),
            ]
        }
    }

    /// The columns licensor adds to `licenses` in version 2, all nullable.
    static let addedLicenseColumns = [
        "product_id", "subscription_id", "email_sent_at", "email_provider", "email_message_id",
        "email_claimed_at", "email_error",
    ]

    /// What SQLAlchemy's `create_all` emits for the seed's models on SQLite.
    private static let seedSQLite = [
        """
        CREATE TABLE IF NOT EXISTS licenses (
            license_key VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            email VARCHAR NOT NULL,
            tier VARCHAR NOT NULL,
            issued_at DATETIME NOT NULL,
            expires_at DATETIME NOT NULL,
            blob VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            source_order_id VARCHAR,
            promotion VARCHAR,
            amount_paid NUMERIC(10, 2),
            currency VARCHAR(3) DEFAULT 'USD',
            revoked_at DATETIME,
            notes VARCHAR,
            created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            PRIMARY KEY (license_key),
            CONSTRAINT uq_licenses_source_order UNIQUE (source, source_order_id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_licenses_email_lower ON licenses (lower(email))",
        "CREATE INDEX IF NOT EXISTS ix_licenses_expires_active ON licenses (expires_at)",
        """
        CREATE TABLE IF NOT EXISTS gumroad_events (
            id INTEGER NOT NULL,
            received_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
            event_type VARCHAR NOT NULL,
            order_id VARCHAR,
            raw_payload JSON NOT NULL,
            processed BOOLEAN DEFAULT (false) NOT NULL,
            error VARCHAR,
            PRIMARY KEY (id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_gumroad_events_order_id ON gumroad_events (order_id)",
        "CREATE INDEX IF NOT EXISTS ix_gumroad_events_unprocessed ON gumroad_events (received_at)",
    ]

    /// What SQLAlchemy's `create_all` emits for the seed's models on PostgreSQL.
    private static let seedPostgres = [
        """
        CREATE TABLE IF NOT EXISTS licenses (
            license_key VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            email VARCHAR NOT NULL,
            tier VARCHAR NOT NULL,
            issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
            expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
            blob VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            source_order_id VARCHAR,
            promotion VARCHAR,
            amount_paid NUMERIC(10, 2),
            currency VARCHAR(3) DEFAULT 'USD',
            revoked_at TIMESTAMP WITH TIME ZONE,
            notes VARCHAR,
            created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            PRIMARY KEY (license_key),
            CONSTRAINT uq_licenses_source_order UNIQUE (source, source_order_id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_licenses_email_lower ON licenses (lower(email))",
        "CREATE INDEX IF NOT EXISTS ix_licenses_expires_active ON licenses (expires_at) WHERE revoked_at IS NULL",
        """
        CREATE TABLE IF NOT EXISTS gumroad_events (
            id BIGSERIAL NOT NULL,
            received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
            event_type VARCHAR NOT NULL,
            order_id VARCHAR,
            raw_payload JSONB NOT NULL,
            processed BOOLEAN DEFAULT false NOT NULL,
            error VARCHAR,
            PRIMARY KEY (id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_gumroad_events_order_id ON gumroad_events (order_id)",
        "CREATE INDEX IF NOT EXISTS ix_gumroad_events_unprocessed ON gumroad_events (received_at) "
            + "WHERE processed = false",
    ]

    /// Version 2: where the email went and which storefront product and subscription a license belongs to.
    private static func licensorColumns(timestamp: String) -> [String] {
        let types = [
            "product_id": "VARCHAR", "subscription_id": "VARCHAR", "email_sent_at": timestamp,
            "email_provider": "VARCHAR", "email_message_id": "VARCHAR", "email_claimed_at": timestamp,
            "email_error": "VARCHAR",
        ]
        return addedLicenseColumns.map { "ALTER TABLE licenses ADD COLUMN \($0) \(types[$0]!)" } + [
            "CREATE INDEX IF NOT EXISTS ix_licenses_subscription_id ON licenses (subscription_id)"
        ]
    }

    /// Version 3: one row per subscription renewal applied, so a renewal delivered twice extends a license once.
    private static func renewals(timestamp: String) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS license_renewals (
                source VARCHAR NOT NULL,
                order_id VARCHAR NOT NULL,
                license_key VARCHAR NOT NULL REFERENCES licenses (license_key),
                renewed_at \(timestamp) NOT NULL,
                expires_at \(timestamp) NOT NULL,
                PRIMARY KEY (source, order_id)
            )
            """
        ]
    }

    /// Version 4: the exact body of a webhook whose decoded form cannot stand for it (it did not decode, or a
    /// value holds a NUL that `jsonb` refuses), base64 text, so a fix and a replay recover the sale. Nullable and
    /// unread by the seed's service.
    private static let exactBodies = ["ALTER TABLE gumroad_events ADD COLUMN raw_body TEXT"]

    /// Version 5: the audit rows of every storefront but Gumroad, with the exact body (base64 text) and the headers
    /// that signed it, so a replay re-runs from the bytes received. `verified_at` records that the signature was
    /// checked on receipt: a replay does not check the (by then stale) timestamp again.
    private static func storefrontEvents(_ dialect: SQLDialect) -> [String] {
        let (id, timestamp, json, unprocessed) =
            switch dialect {
            case .sqlite: ("INTEGER NOT NULL", "DATETIME", "JSON", "")
            case .postgres: ("BIGSERIAL NOT NULL", "TIMESTAMP WITH TIME ZONE", "JSONB", " WHERE processed = false")
            }
        return [
            """
            CREATE TABLE IF NOT EXISTS storefront_events (
                id \(id),
                source VARCHAR NOT NULL,
                received_at \(timestamp) NOT NULL,
                verified_at \(timestamp) NOT NULL,
                event_type VARCHAR NOT NULL,
                delivery_id VARCHAR,
                order_id VARCHAR,
                test_mode BOOLEAN,
                raw_body TEXT NOT NULL,
                headers \(json) NOT NULL,
                processed BOOLEAN DEFAULT false NOT NULL,
                error VARCHAR,
                PRIMARY KEY (id)
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_storefront_events_order ON storefront_events (source, order_id)",
            "CREATE INDEX IF NOT EXISTS ix_storefront_events_delivery ON storefront_events (source, delivery_id)",
            "CREATE INDEX IF NOT EXISTS ix_storefront_events_unprocessed ON storefront_events (received_at)"
                + unprocessed,
        ]
    }

    /// Version 6: the machines a license is activated on (the app-facing API's instances), when each address last
    /// recovered its licenses, Gumroad's verify counter, and which order a storefront's payment belongs to. The
    /// fingerprint is kept only as a keyed hash; a deactivated instance keeps its row (`deactivated_at`), which is
    /// what the deactivation budget counts. One live instance per (license, fingerprint).
    private static func instances(timestamp: String) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS license_instances (
                instance_id VARCHAR NOT NULL,
                license_key VARCHAR NOT NULL REFERENCES licenses (license_key),
                name VARCHAR NOT NULL,
                fingerprint_hash VARCHAR,
                platform VARCHAR,
                created_at \(timestamp) NOT NULL,
                last_seen_at \(timestamp) NOT NULL,
                deactivated_at \(timestamp),
                PRIMARY KEY (instance_id)
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_license_instances_license ON license_instances (license_key)",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_license_instances_live_fingerprint ON license_instances "
                + "(license_key, fingerprint_hash) WHERE deactivated_at IS NULL AND fingerprint_hash IS NOT NULL",
            // One row per address that asked to recover its licenses: when the last email went, so concurrent
            // requests send at most one per interval.
            """
            CREATE TABLE IF NOT EXISTS license_recoveries (
                email VARCHAR NOT NULL,
                last_sent_at \(timestamp) NOT NULL,
                PRIMARY KEY (email)
            )
            """,
            // Which order a storefront's payment or invoice belongs to (Stripe: a renewal charge's payment intent →
            // its invoice → its subscription), so refunds and disputes naming only the payment find the license.
            """
            CREATE TABLE IF NOT EXISTS storefront_links (
                source VARCHAR NOT NULL,
                from_id VARCHAR NOT NULL,
                to_id VARCHAR NOT NULL,
                PRIMARY KEY (source, from_id)
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_storefront_links_to ON storefront_links (source, to_id)",
            // Gumroad's `uses` counter for `/v2/licenses/verify`, beside the seed's table rather than in it.
            """
            CREATE TABLE IF NOT EXISTS license_uses (
                license_key VARCHAR NOT NULL REFERENCES licenses (license_key),
                uses INTEGER NOT NULL,
                PRIMARY KEY (license_key)
            )
            """,
        ]
    }
}
