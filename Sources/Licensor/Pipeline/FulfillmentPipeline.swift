import Glibc
import Logging

/// What became of one webhook after its audit row was written.
package struct FulfillmentOutcome: Sendable, Equatable {
    /// The audit row's id in its storefront's table.
    package var eventID: Int64
    /// The storefront, which names the table (`AuditEventReference`).
    package var source: String
    /// Nil when every step finished; otherwise the step and reason, as stored on the audit row.
    package var error: String?
    /// The step and a short category (`map: unmapped_product`): what the caller is told, never paths, SQL or
    /// library text.
    package var category: String?
    /// The license the event minted or touched, if any.
    package var licenseKey: String?

    /// Creates an outcome.
    package init(
        eventID: Int64, source: String = "gumroad", error: String? = nil, category: String? = nil,
        licenseKey: String? = nil
    ) {
        self.eventID = eventID
        self.source = source
        self.error = error
        self.category = category ?? error.map { _ in "internal" }
        self.licenseKey = licenseKey
    }

    /// How `licensor events` names the audit row.
    package var reference: AuditEventReference { AuditEventReference(source: source, id: eventID) }

    /// `processed` or `failed`.
    package var status: String { error == nil ? "processed" : "failed" }

    /// The 200 body the storefront receives: the category only; the details are on the audit row and in the log.
    package var responseBody: JSONValue { body(error: category) }

    /// The same body with the full reason, for the operator (`licensor replay --json`).
    package var detailedBody: JSONValue { body(error: error) }

    private func body(error: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("ok", .bool(true)), ("event_id", .integer(eventID))]
        if source != "gumroad" { members.append(("source", .string(source))) }
        members.append(("status", .string(status)))
        if let error { members.append(("error", .string(error))) }
        return .object(members)
    }
}

/// The sale-to-license pipeline: audit → parse → map → mint → email → mark, in that order, in one place.
///
/// Once the audit row is committed every later failure is recorded on it and answered with 200, so the operator
/// replays it after fixing the cause instead of Gumroad retrying.
package struct FulfillmentPipeline {
    /// The parts the pipeline runs on, each as narrow as the steps that use it.
    package struct Dependencies {
        /// Audit (step 1) and mark (step 6); lifecycle events re-read the order's history from it.
        package var auditLog: any AuditLog
        /// Mint (step 4) and lifecycle changes.
        package var licenses: any LicenseRepository
        /// Email (step 5): who holds the right to send, and what came of it.
        package var emailLedger: any EmailLedger
        package var adapter: any StorefrontAdapter
        /// Loads the products file, on first need.
        package var products: () throws(LicensorError) -> ProductCatalog
        /// Loads the signing key, on first need.
        package var signingKey: () throws(LicensorError) -> Ed25519PrivateKey
        package var email: any EmailService
        /// Loads the email templates, on first need.
        package var templates: () throws(LicensorError) -> LicenseEmailTemplates
        package var emailFrom: String
        package var emailReplyTo: String?
        /// How long another delivery's claim on sending an email is honoured: past it, that delivery cannot still
        /// be running (its deadline has passed), so a replay may send.
        package var emailClaimLifetime: Duration = .seconds(15)
        /// Whether the commits before something leaves the process (the email claim before a send, the final mark
        /// before the answer) wait for stable storage; replay turns it off and flushes once at the end.
        package var durableCommits = true
        /// Reads what a payload lacks from its storefront's API; nil where no call may be made.
        package var api: StorefrontAPI?

        /// Creates the dependencies; `store` serves all three store seams.
        package init(
            store: any LicenseStore, adapter: any StorefrontAdapter,
            products: @escaping () throws(LicensorError) -> ProductCatalog,
            signingKey: @escaping () throws(LicensorError) -> Ed25519PrivateKey, email: any EmailService,
            templates: @escaping () throws(LicensorError) -> LicenseEmailTemplates, emailFrom: String,
            emailReplyTo: String?, emailClaimLifetime: Duration = .seconds(15), api: StorefrontAPI? = nil
        ) {
            self.api = api
            self.auditLog = store
            self.licenses = store
            self.emailLedger = store
            self.adapter = adapter
            self.products = products
            self.signingKey = signingKey
            self.email = email
            self.templates = templates
            self.emailFrom = emailFrom
            self.emailReplyTo = emailReplyTo
            self.emailClaimLifetime = emailClaimLifetime
        }
    }

    let deps: Dependencies
    let deadline: Deadline
    let logger: Logger

    /// Creates a pipeline for one invocation.
    package init(dependencies: Dependencies, deadline: Deadline, logger: Logger) {
        self.deps = dependencies
        self.deadline = deadline
        self.logger = logger
    }

    /// Step 1, audit: writes and commits the audit row. Throws only when the row could not be written.
    package func audit(_ delivery: WebhookDelivery, receivedAt: Timestamp = .now()) throws(StoreError) -> Int64 {
        let keys = delivery.auditKeys(using: deps.adapter)
        return try deps.auditLog.recordEvent(
            AuditRecord(
                source: deps.adapter.source, eventType: keys.eventType, orderID: keys.orderID,
                payload: delivery.auditJSON, rawBody: delivery.rawBody, headers: delivery.headers.fields,
                deliveryID: delivery.deliveryID(using: deps.adapter),
                isTest: deps.adapter.isTestMode(delivery.payload), receivedAt: receivedAt))
    }

    /// Step 1 for decoded fields alone (a spooled request).
    package func audit(_ payload: WebhookPayload, receivedAt: Timestamp = .now()) throws(StoreError) -> Int64 {
        try audit(WebhookDelivery(payload: payload), receivedAt: receivedAt)
    }

    /// Steps 2–6 for an audited event; used by the webhook and by replay, never writing a new audit row.
    package func process(eventID: Int64, delivery: WebhookDelivery) -> FulfillmentOutcome {
        let source = deps.adapter.source
        var licenseKey: String?
        var sent: SentEmail?
        var error: String?
        var category: String?
        do {
            (licenseKey, sent) = try fulfil(delivery, eventID: eventID)
        } catch let failure {
            error = "\(failure.step.rawValue): \(failure.reason)"
            category = "\(failure.step.rawValue): \(failure.category)"
            licenseKey = failure.licenseKey
        }
        FaultPoint.reached(before: .mark)
        do {
            try deps.auditLog.finishEvent(
                AuditEventReference(source: source, id: eventID), error: error, recordingEmail: sent,
                durable: deps.durableCommits)
        } catch let markError {
            logger.error("could not mark the audit row", metadata: ["event_id": "\(eventID)", "error": "\(markError)"])
            return FulfillmentOutcome(
                eventID: eventID, source: source, error: error ?? "\(FulfillmentStep.mark.rawValue): \(markError)",
                category: category ?? "\(FulfillmentStep.mark.rawValue): store", licenseKey: licenseKey)
        }
        if let error {
            logger.warning("event failed", metadata: ["event_id": "\(eventID)", "error": "\(error)"])
        } else {
            logger.info("event processed", metadata: ["event_id": "\(eventID)"])
        }
        return FulfillmentOutcome(
            eventID: eventID, source: source, error: error, category: category, licenseKey: licenseKey)
    }

    /// Steps 2–6 for decoded fields that stand for the body on their own.
    package func process(eventID: Int64, payload: WebhookPayload) -> FulfillmentOutcome {
        process(eventID: eventID, delivery: WebhookDelivery(payload: payload))
    }

    /// A failure inside steps 2–6, naming the step.
    struct StepError: Error {
        var step: FulfillmentStep
        var reason: String
        /// A short stable word for the caller, e.g. `unmapped_product`.
        var category: String
        var licenseKey: String?
    }

    /// The short category of a step's failure; the full text stays on the audit row.
    static func category(of error: any Error) -> String {
        switch error {
        case let error as LicensorError: error.code.rawValue
        case is PayloadError: LicensorError.Code.invalidPayload.rawValue
        case is StoreError: LicensorError.Code.store.rawValue
        case is EmailError: LicensorError.Code.email.rawValue
        default: "internal"
        }
    }

    private func step<T>(
        _ name: FulfillmentStep, licenseKey: String? = nil, _ body: () throws -> T
    ) throws(StepError) -> T {
        FaultPoint.reached(before: name)
        guard !deadline.hasExpired else {
            throw StepError(
                step: name, reason: "the invocation deadline passed before this step",
                category: LicensorError.Code.deadline.rawValue, licenseKey: licenseKey)
        }
        do {
            return try body()
        } catch {
            throw StepError(
                step: name, reason: "\(error)", category: Self.category(of: error), licenseKey: licenseKey)
        }
    }

    /// Runs parse → map → mint → email (or applies a lifecycle event) and returns the license key concerned, with
    /// the email it sent for the mark to record.
    private func fulfil(_ delivery: WebhookDelivery, eventID: Int64) throws(StepError) -> (String?, SentEmail?) {
        let event = try step(.parse) { try parse(delivery) }
        switch event {
        case .sale(let received):
            let (sale, mapping) = try step(.map) { try map(received) }
            let minted = try step(.mint) { try mint(sale, mapping, saleEventID: eventID) }
            let product = mapping.name ?? sale.productName ?? sale.productID
            let sent = try step(.email, licenseKey: minted.license.key) {
                try deliver(
                    minted.license, productName: product, recording: .withTheMark, unreadHistory: minted.unreadHistory)
            }
            return (minted.license.key, sent)
        default:
            let links = deps.adapter.paymentLinks(from: delivery.payload)
            if case .recordedOnly = event, links.isEmpty { return (nil, nil) }
            let key = try step(.apply) {
                try follow(links)
                return try apply(event)
            }
            return (key, nil)
        }
    }

    /// Step 2: the adapter reads the fields; a body that did not decode fails here, on its recorded row.
    private func parse(_ delivery: WebhookDelivery) throws -> StorefrontEvent {
        if let problem = delivery.decodingProblem { throw PayloadError("body cannot be decoded: \(problem.reason)") }
        return try deps.adapter.event(from: delivery.payload)
    }

    /// Mints (or finds) and emails the license for a sale whose mapping is already known; for manual licenses.
    package func fulfilSale(_ sale: Sale, _ mapping: ProductMapping) throws -> License {
        let minted = try mint(sale, mapping, saleEventID: nil)
        try deliver(
            minted.license, productName: mapping.name ?? sale.productName ?? sale.productID,
            unreadHistory: minted.unreadHistory)
        return try deps.licenses.license(key: minted.license.key) ?? minted.license
    }

    /// Step 3: the products file decides tier and duration, after the storefront's API filled in what the payload
    /// lacks (line items, the buyer); the sale comes back with the product id the file lists it under.
    private func map(_ received: Sale) throws -> (Sale, ProductMapping) {
        let catalog = try deps.products()
        var sale = received
        if let api = deps.api, catalog.mapping(for: sale) == nil || sale.email.isEmpty {
            sale = try deps.adapter.completing(sale, catalog: catalog, api: api)
        }
        guard !sale.email.isEmpty else { throw PayloadError("the sale names no buyer email") }
        guard let (productID, mapping) = catalog.mapping(for: sale) else {
            throw LicensorError(
                .unmappedProduct,
                "product \"\(sale.mappingKeys.joined(separator: "\", \""))\""
                    + "\(sale.productName.map { " (\($0))" } ?? "") is not in the \(sale.source) section of the "
                    + "products file")
        }
        sale.productID = productID
        return (sale, mapping)
    }

    /// A sale's license as step 4 leaves it.
    struct MintedLicense {
        var license: License
        /// Set when this delivery created the license: its order's history is read by the email step's first claim
        /// (`deliver`), in the same statement, rather than by one of its own.
        var unreadHistory: OrderHistoryScope?
    }

    /// Step 4: one license per (source, order), even when two deliveries race; a recurring charge of a licensed
    /// subscription extends that license instead.
    ///
    /// A first sale goes straight to the insert, which is also the lookup (a repeated delivery conflicts and gets the
    /// stored row): one statement, and on PostgreSQL one round trip, fewer for every new license.
    private func mint(_ sale: Sale, _ mapping: ProductMapping, saleEventID: Int64?) throws -> MintedLicense {
        if sale.isRecurringCharge {
            if let existing = try alreadyMinted(sale) { return MintedLicense(license: existing) }
            if let subscription = sale.subscriptionID,
                let licensed = try deps.licenses.license(source: sale.source, subscriptionID: subscription)
            {
                return MintedLicense(
                    license: try renew(
                        licensed, orderID: sale.orderID,
                        terms: RenewalTerms(tier: mapping.tier, duration: mapping.duration)))
            }
        }
        let signingKey: Ed25519PrivateKey
        do {
            signingKey = try deps.signingKey()
        } catch {
            // A repeated delivery of a licensed order needs no key: answer it as before the key went missing.
            if let existing = try alreadyMinted(sale) { return MintedLicense(license: existing) }
            throw error
        }
        let key = try LicenseKey.generate()
        let issued = Timestamp.now()
        let expires = mapping.duration.expiry(from: issued)
        let claims = LicenseClaims(
            key: key, productID: sale.productID, productName: mapping.name ?? sale.productName, tier: mapping.tier,
            name: sale.name, email: sale.email, issuedAt: issued,
            expiresAt: mapping.duration == .lifetime ? nil : expires)
        let token = try LicenseToken.sign(claims, with: signingKey)
        let new = NewLicense(
            key: key, name: sale.name, email: sale.email, tier: mapping.tier, issuedAt: issued, expiresAt: expires,
            token: token, source: sale.source, sourceOrderID: sale.orderID, promotion: sale.offerCode,
            amountPaid: sale.amountPaid, currency: sale.currency, notes: sale.notes, productID: sale.productID,
            subscriptionID: sale.subscriptionID)
        let (license, created) = try deps.licenses.insertLicenseIfAbsent(new)
        // A repeated delivery catches up as well: the one that created the license may have died before it did.
        guard created else { return MintedLicense(license: try catchUp(try sameOrder(license, sale))) }
        logger.info("license minted", metadata: ["order_id": "\(sale.orderID)", "tier": "\(mapping.tier)"])
        // Read after the insert is committed, so a refund racing this sale either is seen then or finds the row.
        return MintedLicense(license: license, unreadHistory: historyScope(of: license, saleEventID: saleEventID))
    }

    /// The license already minted for the sale's order, checked by `sameOrder`; nil when there is none.
    private func alreadyMinted(_ sale: Sale) throws -> License? {
        try deps.licenses.license(source: sale.source, orderID: sale.orderID).map { try sameOrder($0, sale) }
    }

    /// A repeated delivery of an order already licensed: the same license, unless it names another product or buyer,
    /// which is an error the operator sees (`licensor events --failed`), never a silent "processed".
    private func sameOrder(_ license: License, _ sale: Sale) throws -> License {
        let otherProduct = license.productID.map { $0 != sale.productID } ?? false
        let otherBuyer = license.email.lowercased() != sale.email.lowercased()
        guard otherProduct || otherBuyer else { return license }
        logger.error(
            "a delivery for a licensed order names another product or buyer",
            metadata: ["order_id": "\(sale.orderID)", "license_key": "\(license.key)"])
        throw LicensorError(
            .conflictingOrder,
            "\(sale.source) order \(sale.orderID) is already licensed (\(license.key)) "
                + (otherProduct ? "for product \"\(license.productID ?? "")\"" : "to another buyer")
                + "; this delivery names "
                + (otherProduct ? "product \"\(sale.productID)\"" : "buyer \(sale.email)")
                + ": check the order with the storefront, then revoke or issue by hand")
    }

    /// Time kept back from the email send for recording its outcome, so a slow provider cannot leave the claim
    /// and the audit row unrecorded when the deadline comes.
    static let bookkeepingReserve: Duration = .milliseconds(400)

    /// When an accepted send is written to the license's row.
    enum SendRecording {
        /// At once, on its own.
        case now
        /// By the caller, in the commit that marks the audit row (`AuditLog.finishEvent`): one write fewer. Until
        /// then the claim stands, so a crash in between leaves what a crash during the send leaves, and a replay asks
        /// the provider before sending again.
        case withTheMark
    }

    /// Step 5: send once per license; a failure is kept on the license and the audit row for replay.
    ///
    /// When another delivery of the same sale holds the claim, waits (within the deadline) for its outcome rather
    /// than reporting success for an email that may never go out. Returns the send still to be recorded when
    /// `recording` is `.withTheMark` and this call sent it; nil otherwise. `unreadHistory`, for a license just
    /// created, is caught up on first (`catchUp`), so no email goes out for a sale refunded before it arrived.
    @discardableResult
    func deliver(
        _ license: License, productName: String, recording: SendRecording = .now,
        unreadHistory: OrderHistoryScope? = nil
    ) throws -> SentEmail? {
        var current = license
        if let history = unreadHistory {
            // Almost every order has no history yet: the first claim proves it in the same statement.
            if current.awaitsEmail, try claimEmail(for: current, ifNothingRecordedIn: history) {
                return try sendClaimed(current, productName: productName, recording: recording)
            }
            current = try catchUp(current)
        }
        while current.awaitsEmail {
            if try claimEmail(for: current) {
                return try sendClaimed(current, productName: productName, recording: recording)
            }
            guard deadline.remaining > Self.bookkeepingReserve else {
                throw LicensorError(
                    .email, "another delivery of this sale is still sending its email; replay this event to check")
            }
            usleep(50_000)
            guard let refreshed = try deps.licenses.license(key: current.key) else { return nil }
            current = refreshed
        }
        return nil
    }

    /// Takes the license's email claim unless another delivery holds one younger than the claim lifetime.
    private func claimEmail(
        for license: License, ifNothingRecordedIn history: OrderHistoryScope? = nil
    ) throws -> Bool {
        let now = Timestamp.now()
        let staleBefore = Timestamp(
            microseconds: now.microseconds - deps.emailClaimLifetime.components.seconds * 1_000_000)
        guard let history else {
            return try deps.emailLedger.claimEmail(
                key: license.key, now: now, staleBefore: staleBefore, durable: deps.durableCommits)
        }
        return try deps.emailLedger.claimEmail(
            key: license.key, now: now, staleBefore: staleBefore, durable: deps.durableCommits,
            ifNothingRecordedIn: history)
    }

    /// Sends under a claim just taken and records it now or leaves it to the mark, as `recording` says.
    private func sendClaimed(_ license: License, productName: String, recording: SendRecording) throws -> SentEmail? {
        // A claim left behind means a delivery died mid-send: the provider may have accepted that message.
        let sent = try send(license, productName: productName, askProviderFirst: license.emailClaimedAt != nil)
        guard recording == .withTheMark else {
            try deps.emailLedger.recordEmailSent(sent)
            return nil
        }
        return sent
    }

    /// Sends the email for a license whose claim this delivery holds; records a failure, returns the success for
    /// the caller to record.
    private func send(_ license: License, productName: String, askProviderFirst: Bool) throws -> SentEmail {
        do {
            let message = try render(license, productName: productName)
            let timeout = max(deadline.remaining - Self.bookkeepingReserve, .milliseconds(100))
            let earlier =
                askProviderFirst ? try deps.email.findAccepted(metadata: message.metadata, timeout: timeout) : nil
            if earlier != nil { logger.notice("the provider had accepted this email already; not sending it again") }
            let receipt = try earlier ?? deps.email.send(message, timeout: timeout)
            return SentEmail(key: license.key, at: .now(), provider: receipt.provider, messageID: receipt.messageID)
        } catch {
            try? deps.emailLedger.recordEmailFailed(key: license.key, error: "\(error)", at: .now())
            throw error
        }
    }

    /// Renders the license email for a stored license.
    func render(_ license: License, productName: String) throws -> EmailMessage {
        var message = try deps.templates().render(
            values: [
                "name": license.name, "email": license.email, "product": productName, "tier": license.tier,
                "license_key": license.key, "token": license.token,
                "expires": license.isLifetime ? "never" : String(license.expiresAt.rfc3339.prefix(10)),
                "issued": String(license.issuedAt.rfc3339.prefix(10)), "order_id": license.sourceOrderID ?? "",
            ],
            from: deps.emailFrom, to: license.email, replyTo: deps.emailReplyTo)
        message.metadata = [
            "license_key": license.key, "order_id": license.sourceOrderID ?? "", "source": license.source,
        ]
        return message
    }
}
