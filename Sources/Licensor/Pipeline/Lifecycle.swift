/// What refunds, disputes and subscription events do to a license.
///
/// Events can arrive out of order, so revocation is never a flag flipped by one event: it is worked out from every
/// refund and dispute recorded for the order, oldest first, whenever a sale is minted or such an event arrives.
extension FulfillmentPipeline {
    /// Whether an order's refund and dispute history says its license should be revoked.
    struct RevocationState: Equatable {
        var revoked = false
        var refunded = false
        var reason: String?
    }

    /// Folds an order's refund and dispute events: a full refund revokes for good; a dispute revokes until won; a
    /// won dispute restores only what was not refunded; a partial refund changes nothing.
    func revocationState(orderID: String) throws -> RevocationState {
        var state = RevocationState()
        // Typed events re-read from this storefront's rows, not resource names: each adapter says what its row means.
        for recorded in try deps.auditLog.events(source: deps.adapter.source, orderID: orderID) {
            guard let delivery = try? WebhookDelivery(stored: recorded, adapter: deps.adapter),
                delivery.decodingProblem == nil, let event = try? deps.adapter.event(from: delivery.payload)
            else { continue }
            switch event {
            case .refund(_, full: true):
                state = RevocationState(revoked: true, refunded: true, reason: "refunded")
            case .dispute:
                state.revoked = true
                state.reason = state.refunded ? state.reason : "disputed"
            case .disputeWon where !state.refunded:
                state = RevocationState(revoked: false, refunded: false, reason: "dispute won")
            default:
                break
            }
        }
        return state
    }

    /// Brings a license in line with its order's history; returns the updated license, or nil when nothing changed.
    @discardableResult
    func applyRevocationHistory(to license: License) throws -> License? {
        guard let orderID = license.sourceOrderID else { return nil }
        let state = try revocationState(orderID: orderID)
        let now = Timestamp.now()
        if state.revoked, license.revokedAt == nil {
            try deps.licenses.update(
                key: license.key,
                LicenseChanges(revokedAt: .some(now), note: "revoked: \(state.reason ?? "refund or dispute")"), at: now)
            logger.notice("license revoked", metadata: ["key": "\(license.key)", "reason": "\(state.reason ?? "")"])
        } else if !state.revoked, license.revokedAt != nil, state.reason == "dispute won" {
            try deps.licenses.update(
                key: license.key, LicenseChanges(revokedAt: .some(nil), note: "restored: dispute won"), at: now)
            logger.notice("license restored", metadata: ["key": "\(license.key)"])
        } else {
            return nil
        }
        return try deps.licenses.license(key: license.key)
    }

    /// Applies a refund, dispute or subscription event to the license it concerns; an event about a license not
    /// minted yet is only recorded (its audit row is what the later sale consults).
    func apply(_ event: StorefrontEvent) throws -> String? {
        let now = Timestamp.now()
        switch event {
        case .refund(let orderID, _), .dispute(let orderID), .disputeWon(let orderID):
            guard let license = try deps.licenses.license(source: deps.adapter.source, orderID: orderID) else {
                logger.info("no license for this order yet; the event is kept for when the sale arrives")
                return nil
            }
            try applyRevocationHistory(to: license)
            return license.key

        case .subscriptionEnded(let subscription, let endedAt, let reason):
            guard let license = try licensed(subscription) else { return nil }
            let end = min(license.expiresAt, endedAt ?? now)
            try deps.licenses.update(
                key: license.key,
                LicenseChanges(
                    expiresAt: end, token: try resign(license, expiresAt: end),
                    note: "subscription ended\(reason.map { " (\($0))" } ?? "") at \(end.rfc3339)"), at: now)
            return license.key

        case .cancellation(let subscription, let effectiveAt, let by):
            guard let license = try licensed(subscription) else { return nil }
            let note =
                "subscription cancelled\(by.map { " by \($0)" } ?? "")"
                + (effectiveAt.map { ", effective \($0.rfc3339)" } ?? "")
            try deps.licenses.update(key: license.key, LicenseChanges(note: note), at: now)
            return license.key

        case .subscriptionRestarted(let subscription, let restartedAt):
            guard let license = try licensed(subscription) else { return nil }
            try deps.licenses.update(
                key: license.key, LicenseChanges(note: "subscription restarted at \((restartedAt ?? now).rfc3339)"),
                at: now)
            return license.key

        case .subscriptionUpdated(let subscription, let productID, let tierName, let change):
            guard let license = try licensed(subscription), let tierName,
                let mapping = try deps.products().mapping(
                    source: deps.adapter.source, productID: productID ?? license.productID ?? "",
                    variantOptions: [tierName]),
                mapping.tier != license.tier
            else { return nil }
            try deps.licenses.update(
                key: license.key,
                LicenseChanges(
                    tier: mapping.tier, token: try resign(license, tier: mapping.tier),
                    note: "\(change ?? "plan change") to \(tierName): tier \(mapping.tier)", resendEmail: true),
                at: now)
            if let updated = try deps.licenses.license(key: license.key) {
                try deliver(updated, productName: mapping.name ?? updated.productID ?? "your product")
            }
            return license.key

        case .sale, .recordedOnly:
            return nil
        }
    }

    /// A recurring charge: extend the subscription's license by the product's duration (from its current expiry,
    /// or from now if it already lapsed), re-sign it and email the refreshed token, once per renewal order.
    func renew(_ license: License, by sale: Sale, _ mapping: ProductMapping) throws -> License {
        let now = Timestamp.now()
        let expires = mapping.duration.expiry(from: max(license.expiresAt, now))
        let changes = LicenseChanges(
            tier: mapping.tier, expiresAt: expires,
            token: try resign(license, tier: mapping.tier, expiresAt: expires),
            note: "renewed by order \(sale.orderID) until \(expires.rfc3339)", resendEmail: true)
        if try deps.licenses.renew(
            key: license.key, source: sale.source, orderID: sale.orderID, changes: changes, at: now)
        {
            logger.info("license renewed", metadata: ["key": "\(license.key)", "order_id": "\(sale.orderID)"])
        }
        return try deps.licenses.license(key: license.key) ?? license
    }

    private func licensed(_ subscriptionID: String) throws -> License? {
        let license = try deps.licenses.license(source: deps.adapter.source, subscriptionID: subscriptionID)
        if license == nil { logger.info("no license for this subscription; the event is recorded only") }
        return license
    }

    /// A new token for a stored license with some claims changed, signed now.
    private func resign(_ license: License, tier: String? = nil, expiresAt: Timestamp? = nil) throws -> String {
        let previous = try? LicenseToken.unverifiedClaims(of: license.token)
        let expiry = expiresAt ?? license.expiresAt
        let claims = LicenseClaims(
            key: license.key, productID: previous?.productID ?? license.productID ?? "",
            productName: previous?.productName, tier: tier ?? license.tier, name: license.name, email: license.email,
            issuedAt: .now(), expiresAt: expiry >= Timestamp.lifetime ? nil : expiry)
        return try LicenseToken.sign(claims, with: try deps.signingKey())
    }
}
