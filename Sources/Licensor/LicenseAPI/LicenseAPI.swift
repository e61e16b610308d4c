/// The app-facing license API's decisions (SPEC §12), apart from the answer shapes: whether a license is good,
/// seats, instances and lease tokens. `LicenseAPIRoute` renders its answers in Lemon Squeezy's and Gumroad's shapes.
package struct LicenseAPI {
    /// One answer: the HTTP status, the reason, and what the shapes show.
    package struct Answer {
        package var status = 200
        package var code: LicenseAPICode = .valid
        /// Lemon Squeezy's `error` text; nil on success.
        package var message: String?
        package var license: License?
        package var instance: LicenseInstance?
        /// Live instances of the license.
        package var usage = 0
        package var seats = SeatPolicy()
        package var token: String?
        package var instances: [LicenseInstance] = []
        /// Gumroad's `uses` counter (`/v2/licenses/verify`).
        package var uses = 0

        /// Set when the operation succeeded though the license is not good (a seat freed on a revoked license).
        package var succeeded: Bool?

        /// Whether the answer is positive (`activated`, `valid`, `deactivated`, `success`).
        package var isPositive: Bool { succeeded ?? (code == .valid && status == 200) }
    }

    let store: any LicenseRepository & ActivationLedger
    let products: () throws(LicensorError) -> ProductCatalog
    let signingKey: () throws(LicensorError) -> Ed25519PrivateKey
    /// How long a lease lasts (`LICENSOR_LEASE_TTL`).
    let leaseTTL: Duration
    /// `LICENSOR_FINGERPRINT_KEY`, else nil: derived from the signing key.
    let fingerprintKey: [UInt8]?
    let now: Timestamp

    /// Creates the API for one request.
    package init(
        store: any LicenseRepository & ActivationLedger, products: @escaping () throws(LicensorError) -> ProductCatalog,
        signingKey: @escaping () throws(LicensorError) -> Ed25519PrivateKey, leaseTTL: Duration,
        fingerprintKey: [UInt8]?, now: Timestamp = .now()
    ) {
        self.store = store
        self.products = products
        self.signingKey = signingKey
        self.leaseTTL = leaseTTL
        self.fingerprintKey = fingerprintKey
        self.now = now
    }

    // MARK: The routes' operations

    /// `activate`: takes a seat (or gives back the same machine's), for a good license only.
    package func activate(_ request: LicenseAPIRequest) throws -> Answer {
        let name = try request.required("instance_name")
        guard name.count <= 255 else { throw LicenseAPIError.invalid("instance_name is longer than 255 characters") }
        let fingerprint = try request.optional("fingerprint")
        let platform = try request.optional("platform").map { String($0.prefix(64)) }
        var answer = try lookUp(request)
        guard answer.code == .valid else {
            answer.status = answer.status == 200 ? 400 : answer.status
            return answer
        }
        let license = answer.license!
        switch try store.activate(
            key: license.key, name: name, fingerprintHash: try fingerprint.map { try hash($0, of: license.key) },
            platform: platform, policy: answer.seats, now: now)
        {
        case .limitReached(let usage):
            answer.usage = usage
            return refused(answer, 400, .activationLimitReached, "This license key has reached the activation limit.")
        case .activated(let instance, _):
            answer.instance = instance
            answer.usage = try store.instances(key: license.key).count
            answer.token = try fingerprint.map { try lease(license, instance, fingerprint: $0, request) }
            return answer
        }
    }

    /// `validate` and `token`: whether the license (and the instance named, if any) is good now.
    package func validate(_ request: LicenseAPIRequest, requireInstance: Bool = false) throws -> Answer {
        let instanceID = try request.optional("instance_id")
        let fingerprint = try request.optional("fingerprint")
        var answer = try lookUp(request)
        guard let license = answer.license else { return answer }
        answer.usage = try store.instances(key: license.key).count
        guard answer.code == .valid else { return answer }
        let fingerprintHash = try fingerprint.map { try hash($0, of: license.key) }
        guard let selector = Self.selector(instanceID: instanceID, fingerprintHash: fingerprintHash) else {
            if requireInstance { throw LicenseAPIError.invalid("the instance_id or fingerprint field is required") }
            return answer
        }
        guard let instance = try store.touchInstance(key: license.key, selector, now: now),
            fingerprintHash.map({ $0 == instance.fingerprintHash }) ?? true
        else {
            if instanceID == nil, answer.seats.limit == nil, !requireInstance { return answer }
            return instanceID == nil
                ? refused(answer, 200, .noActivation, "This machine is not activated for this license key.")
                : refused(answer, 404, .activationNotFound, "instance_id not found.")
        }
        answer.instance = instance
        answer.token = try fingerprint.map { try lease(license, instance, fingerprint: $0, request) }
        return answer
    }

    /// `deactivate`: frees an instance's seat; repeating it is harmless.
    package func deactivate(_ request: LicenseAPIRequest) throws -> Answer {
        let instanceID = try request.optional("instance_id")
        let fingerprint = try request.optional("fingerprint")
        guard instanceID != nil || fingerprint != nil else {
            throw LicenseAPIError.invalid("the instance_id or fingerprint field is required")
        }
        var answer = try lookUp(request)
        guard let license = answer.license else { return answer }
        let fingerprintHash = try fingerprint.map { try hash($0, of: license.key) }
        guard let selector = Self.selector(instanceID: instanceID, fingerprintHash: fingerprintHash) else {
            return answer
        }
        // A license that is no longer good may still free its seats.
        let standing = answer.code
        answer.code = .valid
        answer.message = nil
        switch try store.deactivate(key: license.key, selector, policy: answer.seats, now: now) {
        case .notFound:
            answer = refused(answer, 404, .activationNotFound, "instance_id not found.")
        case .budgetSpent:
            answer = refused(
                answer, 400, .deactivationLimitReached, "This license key has reached its deactivation limit.")
        case .deactivated(let instance):
            answer.instance = instance
        }
        answer.usage = try store.instances(key: license.key).count
        if answer.code == .valid, standing != .valid {
            // Freed, and the code still tells the app why the license itself is not good.
            answer.code = standing
            answer.succeeded = true
        }
        return answer
    }

    /// Gumroad's `verify`: validate, and count a use unless `increment_uses_count` is `false` (Gumroad's default
    /// is to count).
    package func verify(_ request: LicenseAPIRequest) throws -> Answer {
        let increment = try request.optional("increment_uses_count").map { $0.lowercased() != "false" } ?? true
        var answer = try validate(request)
        if let license = answer.license, answer.code == .valid || answer.code == .expired {
            answer.uses = try store.uses(key: license.key, increment: increment && answer.code == .valid)
        }
        return answer
    }

    /// `activations`: the license's live instances.
    package func activations(_ request: LicenseAPIRequest) throws -> Answer {
        var answer = try lookUp(request, checkProduct: false)
        guard let license = answer.license else { return answer }
        answer.instances = try store.instances(key: license.key)
        answer.usage = answer.instances.count
        return answer
    }

    // MARK: Shared steps

    /// The instance a request names: by `instance_id`, else by its machine's fingerprint hash; nil when neither.
    static func selector(instanceID: String?, fingerprintHash: String?) -> InstanceSelector? {
        instanceID.map(InstanceSelector.id) ?? fingerprintHash.map(InstanceSelector.fingerprintHash)
    }

    /// Finds the license a request names and says whether it is good now; only a bad request throws.
    func lookUp(_ request: LicenseAPIRequest, checkProduct: Bool = true) throws -> Answer {
        var answer = Answer()
        let key = try request.licenseKey()
        let product =
            checkProduct
            ? try request.optional("product") ?? request.optional("product_id") ?? request.optional("product_permalink")
            : nil
        guard let license = try store.license(key: key) else {
            return refused(answer, 404, .notFound, "license_key not found.")
        }
        answer.license = license
        answer.seats = try products().seats(of: license)
        if let product, product != license.productID {
            return refused(answer, 200, .productMismatch, "This license key is for another product.")
        }
        if license.revokedAt != nil {
            let byOperator = license.isRevokedByOperator
            return refused(
                answer, 200, byOperator ? .disabled : .revoked,
                byOperator ? "This license key has been disabled." : "This license key has been revoked.")
        }
        if license.expiresAt <= now {
            return refused(answer, 200, .expired, "This license key has expired.")
        }
        return answer
    }

    private func refused(_ answer: Answer, _ status: Int, _ code: LicenseAPICode, _ message: String) -> Answer {
        var refused = answer
        refused.status = status
        refused.code = code
        refused.message = message
        return refused
    }

    /// The stored form of a fingerprint: HMAC-SHA256 under the fingerprint key, bound to the license, in hex.
    func hash(_ fingerprint: String, of key: String) throws -> String {
        let message = Array(key.utf8) + [0] + Array(fingerprint.utf8)
        return Hex.encode(HMACSHA256.authenticationCode(for: message, key: try fingerprintHashKey()))
    }

    /// `LICENSOR_FINGERPRINT_KEY`, else a key derived from the signing key: its (deterministic) Ed25519 signature of
    /// a fixed label, hashed, so no second secret has to be kept and the signing key itself is not reused as is.
    private func fingerprintHashKey() throws -> [UInt8] {
        if let fingerprintKey { return fingerprintKey }
        return HMACSHA256.sha256(try signingKey().signature(for: Array("licensor.fingerprint-key.v1".utf8)))
    }

    /// A lease token for an instance, bound to the machine's fingerprint.
    func lease(
        _ license: License, _ instance: LicenseInstance, fingerprint: String, _ request: LicenseAPIRequest
    ) throws -> String {
        let nonce = try request.optional("nonce").map { String($0.prefix(128)) }
        let claims = LeaseToken.claims(
            key: license.key, productID: license.productID ?? "", tier: license.tier, instanceID: instance.id,
            nonce: nonce, licenseExpiresAt: license.isLifetime ? nil : license.expiresAt, now: now,
            ttlSeconds: leaseTTL.components.seconds)
        return try LeaseToken.sign(claims, fingerprint: fingerprint, with: try signingKey())
    }
}
