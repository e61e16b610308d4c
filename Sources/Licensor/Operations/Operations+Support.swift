/// Customer-support commands: find, resend, revoke, issue, events.
extension Operations {
    /// Opens the configured store and the pipeline wired to it, for one operator command.
    func withPipeline<T>(_ body: (FulfillmentPipeline, Services) throws -> T) throws -> T {
        let configuration = try configuration()
        // The wall time of a command is the operator's, not a buyer's: load the products file and key only if used.
        let services = try Services.open(
            configuration, deadline: Deadline(budget: .seconds(120)), logger: logger, loadingEarly: false)
        defer { services.close() }
        let pipeline = FulfillmentPipeline(
            dependencies: services.pipelineDependencies, deadline: Deadline(budget: configuration.deadline * 4),
            logger: logger)
        return try body(pipeline, services)
    }

    /// `licensor find EMAIL`: the buyer's licenses, matched case-insensitively.
    package func find(email: String, json: Bool) throws {
        try withPipeline { _, services in
            let licenses = try services.store.licenses(email: email)
            if json {
                output(JSONValue.array(licenses.map(\.json)).serialized())
                return
            }
            guard !licenses.isEmpty else {
                output("no licenses for \(email)")
                return
            }
            output(
                Table.render(
                    headers: ["KEY", "STATUS", "TIER", "PRODUCT", "SEATS", "EXPIRES", "EMAILED", "ORDER"],
                    rows: try licenses.map { license in
                        // A broken products file must not hide a buyer's licenses from support.
                        let policy = try? services.products().seats(of: license)
                        let seats = policy.map { $0.limit.map(String.init) ?? "∞" } ?? "?"
                        return [
                            license.key, license.status(), license.tier, license.productID ?? "-",
                            "\(try services.store.instances(key: license.key).count)/\(seats)",
                            license.isLifetime ? "never" : String(license.expiresAt.rfc3339.prefix(10)),
                            license.emailSentAt.map { String($0.rfc3339.prefix(10)) }
                                ?? (license.emailError == nil ? "no" : "failed"), license.sourceOrderID ?? "-",
                        ]
                    }))
        }
    }

    /// `licensor resend KEY`: emails the license again, even if it was sent before.
    package func resend(key: String, json: Bool) throws {
        try withPipeline { pipeline, services in
            let license = try existing(key, in: services.store)
            guard license.revokedAt == nil else {
                throw LicensorError(.usage, "license \(key) is revoked; restore it before resending")
            }
            try services.store.update(key: key, LicenseChanges(resendEmail: true), at: .now())
            let refreshed = try existing(key, in: services.store)
            try pipeline.deliver(refreshed, productName: refreshed.productDisplayName)
            let sent = try existing(key, in: services.store)
            output(
                json ? sent.json.serialized() : "sent license \(key) to \(sent.email) (\(sent.emailProvider ?? "?"))")
        }
    }

    /// `licensor revoke KEY --reason TEXT`.
    package func revoke(key: String, reason: String, json: Bool) throws {
        try withPipeline { _, services in
            let license = try existing(key, in: services.store)
            guard license.revokedAt == nil else { throw LicensorError(.usage, "license \(key) is already revoked") }
            try services.store.update(
                key: key,
                LicenseChanges(revokedAt: .some(.now()), note: "\(License.operatorRevocationNote): \(reason)"),
                at: .now())
            let revoked = try existing(key, in: services.store)
            output(json ? revoked.json.serialized() : "revoked license \(key) (\(revoked.email))")
        }
    }

    /// `licensor issue`: a manual or complimentary license (`source` = `manual`), emailed like any other.
    package func issue(email: String, product: String, tier: String?, name: String?, json: Bool) throws {
        guard Self.isPlausibleEmail(email) else {
            throw LicensorError(.usage, "--email: \"\(StderrLogHandler.escaped(email))\" is not an email address")
        }
        try withPipeline { pipeline, services in
            let catalog = try services.products()
            let entry = catalog.product(inAnySectionWithID: product)
            guard let tier = tier ?? entry?.tier else {
                throw LicensorError(
                    .usage, "product \"\(product)\" is not in the products file; pass --tier to issue it anyway")
            }
            let mapping = ProductMapping(
                tier: tier, name: entry?.name, duration: entry?.duration ?? catalog.defaultDuration)
            let sale = Sale(
                source: "manual", orderID: "manual-" + (try LicenseKey.generate()), productID: product,
                productName: entry?.name, email: email, name: name ?? BuyerName.fromEmail(email),
                amountMinorUnits: 0, currency: "USD", productCurrency: nil, isTest: false, offerCode: nil,
                variants: [], quantity: 1, isGift: false, gifterEmail: nil, isRecurringCharge: false,
                subscriptionID: nil, retryCount: 0, saleTimestamp: .now())
            let license = try pipeline.fulfilSale(sale, mapping)
            output(json ? license.json.serialized() : "issued license \(license.key) (\(tier)) to \(email)")
        }
    }

    /// `licensor events`: the audit log, newest first.
    package func events(failedOnly: Bool, limit: Int, json: Bool) throws {
        try withPipeline { _, services in
            let events = try services.store.events(failedOnly: failedOnly, since: nil, limit: limit)
            if json {
                output(JSONValue.array(events.map(\.json)).serialized())
                return
            }
            output(
                Table.render(
                    headers: ["ID", "SOURCE", "RECEIVED", "TYPE", "ORDER", "STATUS", "ERROR"],
                    rows: events.map { event in
                        [
                            event.reference.description, event.source, event.receivedAt.rfc3339, event.eventType,
                            event.orderID ?? "-",
                            event.processed ? "processed" : "failed", event.error ?? "",
                        ]
                    }))
        }
    }

    func existing(_ key: String, in store: any LicenseStore) throws -> License {
        guard let license = try store.license(key: key.trimmed.uppercased()) else {
            throw LicensorError(.notFound, "no license with key \(key)")
        }
        return license
    }

    /// Whether text can be a buyer's address: one `@` between a non-empty local part and a dotted domain, with no
    /// space, control character or the punctuation that would make it a list or a display name. An operator's typo
    /// must not mint a license that can never be delivered.
    static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty,
            domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..")
        else { return false }
        return !text.unicodeScalars.contains {
            $0.value <= 0x20 || $0.value == 0x7F || "<>()[],;:\\\"".unicodeScalars.contains($0)
        }
    }
}
