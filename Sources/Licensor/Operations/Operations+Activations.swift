/// `licensor activations` and `licensor deactivate`: the machines a license runs on, for support.
extension Operations {
    /// Lists a license's live instances.
    package func activations(key: String, json: Bool) throws {
        try withPipeline { _, services in
            let license = try licenseNamed(key, in: services.store)
            let instances = try services.store.instances(key: license.key)
            let limit = try services.products().seats(of: license).limit
            if json {
                output(
                    JSONValue.object([
                        ("license_key", .string(license.key)),
                        ("activation_limit", limit.map { .integer($0) } ?? .null),
                        ("activation_usage", .integer(instances.count)), ("instances", .array(instances.map(\.json))),
                    ]).serialized())
                return
            }
            output("\(license.key): \(instances.count) of \(limit.map(String.init) ?? "unlimited") seats in use")
            guard !instances.isEmpty else { return }
            output(
                Table.render(
                    headers: ["INSTANCE", "NAME", "PLATFORM", "ACTIVATED", "LAST SEEN"],
                    rows: instances.map {
                        [$0.id, $0.name, $0.platform ?? "-", $0.createdAt.rfc3339, $0.lastSeenAt.rfc3339]
                    }))
        }
    }

    /// Frees an instance's seat; the operator is not bound by the license's deactivation budget.
    package func deactivate(key: String, instance: String, json: Bool) throws {
        try withPipeline { _, services in
            let license = try licenseNamed(key, in: services.store)
            switch try services.store.deactivate(key: license.key, .id(instance), policy: SeatPolicy(), now: .now()) {
            case .notFound, .budgetSpent:
                throw LicensorError(.notFound, "license \(license.key) has no instance \(instance)")
            case .deactivated(let freed):
                output(json ? freed.json.serialized() : "deactivated instance \(freed.id) (\(freed.name))")
            }
        }
    }

    /// A license by its key as a buyer may have typed it (case, spaces, missing dashes), as the API takes it.
    func licenseNamed(_ key: String, in store: any LicenseStore) throws -> License {
        try existing(LicenseAPIRequest.normalisedKey(key) ?? key, in: store)
    }
}

extension LicenseInstance {
    var json: JSONValue {
        .object([
            ("id", .string(id)), ("name", .string(name)), ("platform", platform.map(JSONValue.string) ?? .null),
            ("created_at", .string(createdAt.rfc3339)), ("last_seen_at", .string(lastSeenAt.rfc3339)),
            ("deactivated_at", deactivatedAt.map { .string($0.rfc3339) } ?? .null),
        ])
    }
}
