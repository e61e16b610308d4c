/// Seats. Each change runs in one transaction that first locks the license (PostgreSQL: `FOR UPDATE`, which
/// PgBouncer's transaction mode keeps; SQLite: `BEGIN IMMEDIATE` already serialises writers), so N free seats and
/// any number of simultaneous activations give exactly N instances.
extension SQLLicenseStore: ActivationLedger {
    private var instanceColumns: String {
        "instance_id, license_key, name, fingerprint_hash, platform, \(dialect.selectTimestamp("created_at")), "
            + "\(dialect.selectTimestamp("last_seen_at")), \(dialect.selectTimestamp("deactivated_at"))"
    }

    private func instance(_ row: SQLRow) throws(StoreError) -> LicenseInstance {
        guard let id = row["instance_id"], let key = row["license_key"], let name = row["name"],
            let created = row["created_at"].flatMap(Timestamp.init(parsing:)),
            let seen = row["last_seen_at"].flatMap(Timestamp.init(parsing:))
        else { throw StoreError(.corrupt, "unreadable license_instances row") }
        return LicenseInstance(
            id: id, licenseKey: key, name: name, fingerprintHash: row["fingerprint_hash"], platform: row["platform"],
            createdAt: created, lastSeenAt: seen, deactivatedAt: row["deactivated_at"].flatMap(Timestamp.init(parsing:))
        )
    }

    /// Locks the license row for the rest of the transaction (a no-op statement on SQLite, which holds the write
    /// lock already).
    private func lockLicense(_ key: String) throws(StoreError) {
        let suffix = dialect == .postgres ? " FOR UPDATE" : ""
        _ = try db.query("SELECT license_key FROM licenses WHERE license_key = $1\(suffix)", [.text(key)])
    }

    private func live(key: String, _ selector: InstanceSelector) throws(StoreError) -> LicenseInstance? {
        let (column, value) =
            switch selector {
            case .id(let id): ("instance_id", id)
            case .fingerprintHash(let hash): ("fingerprint_hash", hash)
            }
        return try db.query(
            "SELECT \(instanceColumns) FROM license_instances WHERE license_key = $1 AND \(column) = $2 "
                + "ORDER BY deactivated_at IS NULL DESC, created_at DESC LIMIT 1",
            [.text(key), .text(value)]
        ).first.map { row throws(StoreError) in try instance(row) }
    }

    package func activate(
        key: String, name: String, fingerprintHash: String?, platform: String?, policy: SeatPolicy, now: Timestamp
    ) throws(StoreError) -> ActivationOutcome {
        try db.durably { () throws(StoreError) -> ActivationOutcome in
            try db.withTransaction { () throws(StoreError) -> ActivationOutcome in
                try lockLicense(key)
                if let hash = fingerprintHash, let existing = try live(key: key, .fingerprintHash(hash)),
                    existing.deactivatedAt == nil
                {
                    try db.execute(
                        "UPDATE license_instances SET last_seen_at = $2 WHERE instance_id = $1",
                        [.text(existing.id), dialect.timestamp(now)])
                    return .activated(existing, reused: true)
                }
                let usage =
                    Int(
                        try db.query(
                            "SELECT count(*) AS n FROM license_instances WHERE license_key = $1 AND deactivated_at IS NULL",
                            [.text(key)]
                        ).first?["n"] ?? "0") ?? 0
                if let limit = policy.limit, usage >= limit { return .limitReached(usage: usage) }
                let created = LicenseInstance(
                    id: try InstanceID.generate(), licenseKey: key, name: name, fingerprintHash: fingerprintHash,
                    platform: platform, createdAt: now, lastSeenAt: now, deactivatedAt: nil)
                try db.execute(
                    "INSERT INTO license_instances (instance_id, license_key, name, fingerprint_hash, platform, "
                        + "created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    [
                        .text(created.id), .text(key), .text(name), .optional(fingerprintHash), .optional(platform),
                        dialect.timestamp(now),
                    ])
                return .activated(created, reused: false)
            }
        }
    }

    package func deactivate(
        key: String, _ selector: InstanceSelector, policy: SeatPolicy, now: Timestamp
    ) throws(StoreError) -> DeactivationOutcome {
        try db.durably { () throws(StoreError) -> DeactivationOutcome in
            try db.withTransaction { () throws(StoreError) -> DeactivationOutcome in
                try lockLicense(key)
                guard var found = try live(key: key, selector) else { return .notFound }
                guard found.deactivatedAt == nil else { return .deactivated(found) }
                if let budget = policy.deactivationLimit {
                    let since = Timestamp(
                        microseconds: now.microseconds - policy.deactivationWindow.components.seconds * 1_000_000)
                    let spent =
                        Int(
                            try db.query(
                                "SELECT count(*) AS n FROM license_instances WHERE license_key = $1 "
                                    + "AND deactivated_at IS NOT NULL AND deactivated_at >= $2",
                                [.text(key), dialect.timestamp(since)]
                            ).first?["n"] ?? "0") ?? 0
                    if spent >= budget { return .budgetSpent }
                }
                try db.execute(
                    "UPDATE license_instances SET deactivated_at = $2 WHERE instance_id = $1",
                    [.text(found.id), dialect.timestamp(now)])
                found.deactivatedAt = now
                return .deactivated(found)
            }
        }
    }

    package func touchInstance(
        key: String, _ selector: InstanceSelector, now: Timestamp
    ) throws(StoreError) -> LicenseInstance? {
        guard var found = try live(key: key, selector), found.deactivatedAt == nil else { return nil }
        try db.execute(
            "UPDATE license_instances SET last_seen_at = $2 WHERE instance_id = $1",
            [.text(found.id), dialect.timestamp(now)])
        found.lastSeenAt = now
        return found
    }

    package func instances(key: String) throws(StoreError) -> [LicenseInstance] {
        var found: [LicenseInstance] = []
        for row in try db.query(
            "SELECT \(instanceColumns) FROM license_instances WHERE license_key = $1 AND deactivated_at IS NULL "
                + "ORDER BY created_at, instance_id",
            [.text(key)])
        {
            found.append(try instance(row))
        }
        return found
    }
}

extension SQLLicenseStore {
    package func uses(key: String, increment: Bool) throws(StoreError) -> Int {
        let rows =
            increment
            ? try db.durably { () throws(StoreError) -> [SQLRow] in
                try db.query(
                    "INSERT INTO license_uses (license_key, uses) VALUES ($1, 1) ON CONFLICT (license_key) "
                        + "DO UPDATE SET uses = license_uses.uses + 1 RETURNING uses",
                    [.text(key)])
            }
            : try db.query("SELECT uses FROM license_uses WHERE license_key = $1", [.text(key)])
        return Int(rows.first?["uses"] ?? "0") ?? 0
    }

    package func claimRecovery(email: String, now: Timestamp, interval: Duration) throws(StoreError) -> Bool {
        let before = Timestamp(microseconds: now.microseconds - interval.components.seconds * 1_000_000)
        return try db.durably { () throws(StoreError) -> Bool in
            try !db.query(
                "INSERT INTO license_recoveries (email, last_sent_at) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE "
                    + "SET last_sent_at = excluded.last_sent_at WHERE license_recoveries.last_sent_at < $3 "
                    + "RETURNING email",
                [.text(email.lowercased()), dialect.timestamp(now), dialect.timestamp(before)]
            ).isEmpty
        }
    }
}

/// Instance ids: random UUIDs (version 4), as Lemon Squeezy's clients expect.
enum InstanceID {
    static func generate() throws(StoreError) -> String {
        guard var bytes = try? SecureRandom.bytes(count: 16) else {
            throw StoreError(.query, "the system's random source failed")
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Hex.encode(bytes)
        let cuts = [8, 12, 16, 20]
        var text = ""
        for (index, character) in hex.enumerated() {
            if cuts.contains(index) { text.append("-") }
            text.append(character)
        }
        return text
    }
}
