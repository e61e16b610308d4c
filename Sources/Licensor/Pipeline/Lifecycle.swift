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

    /// Every event recorded for an order or subscription that its storefront can still read, oldest first.
    func history(_ orderID: String) throws -> [StorefrontEvent] {
        var rows = try deps.auditLog.events(source: deps.adapter.source, orderID: orderID)
        // The rows of the payments and invoices linked to the order belong to its history too (a refund of one
        // renewal charge of a subscription), in the order they were received.
        for id in try linkedIDs(to: orderID) {
            rows += try deps.auditLog.events(source: deps.adapter.source, orderID: id)
        }
        if rows.count > 1 { rows.sort { $0.id < $1.id } }
        // Typed events re-read from this storefront's rows, not resource names: each adapter says what its row means.
        return rows.compactMap { recorded in
            guard let delivery = try? WebhookDelivery(stored: recorded, adapter: deps.adapter),
                delivery.decodingProblem == nil
            else { return nil }
            return try? deps.adapter.event(from: delivery.payload)
        }
    }

    /// The most links followed from an order (subscription ← invoice ← payment is two).
    static let maximumLinkDepth = 3

    /// Every id linked to an order, directly or through other links.
    func linkedIDs(to orderID: String) throws -> [String] {
        guard deps.adapter.linksPayments else { return [] }
        var found: [String] = []
        var frontier = [orderID]
        for _ in 0..<Self.maximumLinkDepth where !frontier.isEmpty {
            var next: [String] = []
            for id in frontier {
                for linked in try deps.auditLog.linkedIDs(source: deps.adapter.source, to: id)
                where linked != orderID && !found.contains(linked) {
                    found.append(linked)
                    next.append(linked)
                }
            }
            frontier = next
        }
        return found
    }

    /// The license of an order, or of the order a payment or invoice is linked to.
    func license(ofOrder orderID: String) throws -> License? {
        var id = orderID
        for _ in 0...Self.maximumLinkDepth {
            if let license = try deps.licenses.license(source: deps.adapter.source, orderID: id) { return license }
            guard deps.adapter.linksPayments,
                let target = try deps.auditLog.linkTarget(source: deps.adapter.source, from: id)
            else { return nil }
            id = target
        }
        return nil
    }

    /// Records what a payload links, then brings each linked license in line with its (now longer) history: a
    /// refund that arrived before the link takes effect now.
    func follow(_ links: [StorefrontLink]) throws {
        guard !links.isEmpty else { return }
        try deps.auditLog.recordLinks(source: deps.adapter.source, links)
        var seen: Set<String> = []
        for link in links {
            guard let license = try license(ofOrder: link.to), seen.insert(license.key).inserted else { continue }
            try applyRevocationHistory(to: license)
        }
    }

    /// Folds an order's refund and dispute events: a full refund revokes for good; a dispute revokes until won; a
    /// won dispute restores only what was not refunded; a partial refund changes nothing.
    func revocationState(_ history: [StorefrontEvent]) -> RevocationState {
        var state = RevocationState()
        for event in history {
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

    /// Where `catchUp` reads a license's history, for the email claim that proves it empty; nil when it has none.
    func historyScope(of license: License, saleEventID: Int64?) -> OrderHistoryScope? {
        guard let orderID = license.sourceOrderID else { return nil }
        return OrderHistoryScope(
            source: deps.adapter.source, orderID: orderID,
            subscriptionID: deps.adapter.reportsRenewalsApart ? license.subscriptionID : nil, saleEventID: saleEventID,
            includesLinks: deps.adapter.linksPayments)
    }

    /// Brings a new (or repeated) license in line with what arrived before it: the subscription its order was bought
    /// with, refunds and disputes, and renewals of that subscription.
    func catchUp(_ minted: License) throws -> License {
        guard let orderID = minted.sourceOrderID else { return minted }
        var license = minted
        let orderHistory = try history(orderID)
        if license.subscriptionID == nil {
            for case .subscriptionLinked(let subscription, _) in orderHistory {
                try deps.licenses.update(key: license.key, LicenseChanges(subscriptionID: subscription), at: .now())
                license.subscriptionID = subscription
            }
        }
        license = try applyRevocationHistory(to: license, history: orderHistory) ?? license
        return try applyPendingRenewals(to: license, orderHistory: orderHistory)
    }

    /// Applies the renewals recorded for a license's subscription before the license existed (or was linked to it).
    func applyPendingRenewals(to license: License, orderHistory: [StorefrontEvent]? = nil) throws -> License {
        guard deps.adapter.reportsRenewalsApart, let subscription = license.subscriptionID else { return license }
        let events =
            subscription == license.sourceOrderID
            ? try orderHistory ?? history(subscription) : try history(subscription)
        var current = license
        for case .renewal(_, let renewalOrder) in events {
            current = try renew(current, orderID: renewalOrder, terms: try renewalTerms(of: current))
        }
        return current
    }

    /// Brings a license in line with its order's history; returns the updated license, or nil when nothing changed.
    @discardableResult
    func applyRevocationHistory(to license: License, history known: [StorefrontEvent]? = nil) throws -> License? {
        guard let orderID = license.sourceOrderID else { return nil }
        let state = revocationState(try known ?? history(orderID))
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
            guard let license = try license(ofOrder: orderID) else {
                logger.info("no license for this order yet; the event is kept for when the sale arrives")
                return nil
            }
            try applyRevocationHistory(to: license)
            return license.key

        case .renewal(let subscription, let orderID):
            // Kept when the subscription is not licensed yet: `catchUp` applies it when the sale is minted.
            guard let license = try licensed(subscription) else { return nil }
            return try emailed(try renew(license, orderID: orderID, terms: try renewalTerms(of: license))).key

        case .subscriptionLinked(let subscription, let orderID):
            guard let license = try deps.licenses.license(source: deps.adapter.source, orderID: orderID) else {
                logger.info("no license for this order yet; the link is kept for when the sale arrives")
                return nil
            }
            var linked = license
            if license.subscriptionID == nil {
                try deps.licenses.update(key: license.key, LicenseChanges(subscriptionID: subscription), at: now)
                linked.subscriptionID = subscription
            }
            return try emailed(try applyPendingRenewals(to: linked)).key

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

    /// What a renewal grants: the tier and duration of the license's product as the products file lists it now.
    struct RenewalTerms {
        var tier: String
        var duration: LicenseDuration
    }

    /// The terms of a renewal event that names no product: the license keeps its tier (a variant's included) and
    /// gets its product's duration.
    func renewalTerms(of license: License) throws -> RenewalTerms {
        guard let productID = license.productID,
            let mapping = try deps.products().mapping(source: license.source, productID: productID)
        else {
            throw LicensorError(
                .unmappedProduct,
                "product \"\(license.productID ?? "")\" of license \(license.key) is not in the \(license.source) "
                    + "section of the products file, so its renewal has no duration")
        }
        return RenewalTerms(tier: license.tier, duration: mapping.duration)
    }

    /// A recurring charge: extend the subscription's license by the product's duration (from its current expiry,
    /// or from now if it already lapsed), re-sign it and email the refreshed token, once per renewal order.
    func renew(_ license: License, orderID: String, terms: RenewalTerms) throws -> License {
        let now = Timestamp.now()
        let expires = terms.duration.expiry(from: max(license.expiresAt, now))
        let changes = LicenseChanges(
            tier: terms.tier, expiresAt: expires,
            token: try resign(license, tier: terms.tier, expiresAt: expires),
            note: "renewed by order \(orderID) until \(expires.rfc3339)", resendEmail: true)
        if try deps.licenses.renew(
            key: license.key, source: license.source, orderID: orderID, changes: changes, at: now)
        {
            logger.info("license renewed", metadata: ["key": "\(license.key)", "order_id": "\(orderID)"])
        }
        return try deps.licenses.license(key: license.key) ?? license
    }

    /// Sends a changed license's email unless it went out already (a renewal clears the record of the last send).
    private func emailed(_ license: License) throws -> License {
        try deliver(license, productName: license.productDisplayName)
        return license
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
