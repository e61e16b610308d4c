import FoundationEssentials
import Glibc

// `@testable` reaches `ProductCatalog(bytes:fileName:)`, the byte-level entry the products-file loader uses, so the
// fuzzer also covers libyaml's UTF-16 decoding. Debug builds compile Licensor with testing enabled. LicensorVerifier
// shares its token, JSON and time code with the server through `package` access, which another package reaches only
// with `@testable`.
@testable import Licensor
@testable import LicensorVerifier

/// The parsers the fuzzer can drive, chosen with `LICENSOR_FUZZ_TARGET` (scripts/fuzz.sh sets it).
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser.parse`, with a serialize-and-reparse round trip as the oracle.
    case json
    /// `JSONEnvelope.decode` with automatic detection of the canonical, API Gateway 1.0 and 2.0 shapes.
    case envelope
    /// `FormDecoding.decode` and `WebhookPayload(body:contentType:)` for form bodies, then the audit-JSON round trip.
    case form
    /// `WebhookPayload(body:contentType:)` for JSON bodies, then the audit-JSON round trip.
    case webhookJSON = "webhook-json"
    /// `ProductCatalog(bytes:fileName:)`: libyaml plus the products-file validator.
    case products
    /// `LicenseVerifier.verify(licenseToken:)`, `LicenseToken.unverifiedClaims` and `PASETOv4Public.verify` on token
    /// text, and the claims parser on arbitrary payloads signed with a fixed test key.
    case token
    /// `LicenseVerifier.verify(leaseToken:fingerprint:)` on token text, and the lease claims parser on arbitrary
    /// payloads signed as leases for a fixed fingerprint, with a sign-again round trip.
    case lease
    /// The raw HTTP/1.1 request parser, fed whole and in pieces: both must reach the same result.
    case http

    /// The target of this process, read once from `LICENSOR_FUZZ_TARGET`; an unknown name ends the process.
    static let selected: FuzzTarget = {
        let name = getenv("LICENSOR_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name), available.contains(target) else {
            report("licensor-fuzz: set LICENSOR_FUZZ_TARGET to one of: \(available.map(\.rawValue))")
            exit(2)
        }
        return target
    }()

    /// The targets this binary can run.
    static var available: [FuzzTarget] { allCases }

    /// Runs one input through the target; a crash, a trap or a sanitizer report is a finding.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .json: Harness.json(bytes)
        case .envelope: Harness.envelope(bytes)
        case .form: Harness.form(bytes)
        case .webhookJSON: Harness.webhookJSON(bytes)
        case .products: Harness.products(bytes)
        case .token: Harness.token(bytes)
        case .lease: Harness.lease(bytes)
        case .http: Harness.http(bytes)
        }
    }
}

/// One function per target; each must return normally for every input.
enum Harness {
    /// A fixed key: the token target needs the same trusted key in every run so that findings reproduce.
    static let signingKey: Ed25519PrivateKey = {
        do {
            return try Ed25519PrivateKey(seed: [UInt8](repeating: 0x5E, count: 32))
        } catch {
            fatalError("cannot create the fuzzing key: \(error)")
        }
    }()

    /// A second trusted key with a different id, so that key selection by `kid` has a choice to make.
    static let otherKey: Ed25519PublicKey = {
        do {
            return try Ed25519PrivateKey(seed: [UInt8](repeating: 0xA7, count: 32)).publicKey
        } catch {
            fatalError("cannot create the fuzzing key: \(error)")
        }
    }()

    /// Valid license tokens under the fuzzing key: lifetime, expiring, expired, and one under the other key's id.
    static func seedTokens() throws -> [String] {
        let base = LicenseClaims(
            key: "ABCD-EFGH-JKLM-NPQR", productID: "demo-product-id", productName: "Acme Pro", tier: "pro",
            name: "Jane Doe", email: "jane.doe+gumroad@example.com", issuedAt: Timestamp(seconds: 1_764_358_736),
            expiresAt: nil)
        var expiring = base
        expiring.productName = nil
        expiring.expiresAt = Timestamp(seconds: 1_795_894_736)
        var expired = base
        expired.expiresAt = Timestamp(seconds: 1_600_000_000)
        var tokens = try [base, expiring, expired].map { try LicenseToken.sign($0, with: signingKey) }
        let footer = Array(JSONValue.object([("kid", .string(otherKey.keyID))]).serialized().utf8)
        tokens.append(
            try PASETOv4Public.sign(payload: Array(base.json.serialized().utf8), footer: footer, using: signingKey))
        return tokens
    }

    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        // What the writer produces the parser must read back unchanged.
        let text = value.serialized()
        guard let again = try? JSONParser.parse(text) else {
            fatalError("serialized JSON does not parse again: \(text.prefix(200))")
        }
        guard again == value else { fatalError("JSON round trip changed the value: \(text.prefix(200))") }
    }

    static func envelope(_ bytes: [UInt8]) {
        guard let (request, format) = try? JSONEnvelope.decode(bytes) else { return }
        precondition(format.isJSON, "a JSON envelope decoded as \(format)")
        // Touch what the router reads next, as the real program would.
        _ = request.headers.fields.count
        _ = request.query.count
        _ = request.body.count
        _ = JSONEnvelope.encode(HTTPResponse(status: 200, headers: request.headers, body: request.body))
    }

    static func http(_ bytes: [UInt8]) {
        var whole = RawHTTPParser()
        let once = whole.feed(bytes)
        // Chunk boundaries chosen by the input itself, so the fuzzer explores where reads split a request.
        let stride = Int(bytes.first ?? 0) % 7 + 1
        var pieces = RawHTTPParser()
        var step = RawHTTPParser.Step.needMore
        var start = 0
        repeat {
            step = pieces.feed(bytes[start..<min(start + stride, bytes.count)])
            start += stride
        } while start < bytes.count
        precondition(once == step, "raw HTTP parsed whole and in pieces of \(stride) disagree: \(once) vs \(step)")
        if case .done(let request) = once {
            _ = RawHTTPResponse.encode(
                HTTPResponse(status: 200, body: request.body), omitBody: request.method == "HEAD")
        }
    }

    static func form(_ bytes: [UInt8]) {
        let decoded = try? FormDecoding.decode(bytes)
        let payload = try? WebhookPayload(body: bytes, contentType: "application/x-www-form-urlencoded")
        precondition((decoded == nil) == (payload == nil), "form decoding and the webhook payload disagree")
        if let decoded {
            // Encoding the decoded pairs and decoding again is the identity.
            let again = try? FormDecoding.decode(Array(FormDecoding.encode(decoded).utf8))
            guard let again, again.elementsEqual(decoded, by: { $0.name == $1.name && $0.value == $1.value }) else {
                fatalError("form encode/decode round trip failed")
            }
        }
        if let payload { auditRoundTrip(payload) }
    }

    static func webhookJSON(_ bytes: [UInt8]) {
        guard let payload = try? WebhookPayload(body: bytes, contentType: "application/json") else { return }
        auditRoundTrip(payload)
        // Every signed storefront reads the same document: keys and events must come back or fail, never trap.
        for adapter in StorefrontRegistry.standard.adapters where adapter.auditsExactBody {
            let request = HTTPRequest(method: "POST", path: "/webhooks/\(adapter.source)", body: bytes)
            let delivery = WebhookDelivery(request: request, adapter: adapter)
            _ = delivery.auditKeys(using: adapter)
            _ = adapter.deliveryID(for: delivery.payload)
            _ = try? adapter.event(from: delivery.payload)
        }
    }

    /// The audit row must be readable by `replay`: its text parses back into a payload with the same values.
    private static func auditRoundTrip(_ payload: WebhookPayload) {
        let text = payload.auditJSON.serialized()
        guard let restored = try? WebhookPayload(auditJSON: text) else {
            fatalError("the audit JSON of a decoded payload does not parse back")
        }
        precondition(valuesByName(restored) == valuesByName(payload), "audit JSON round trip changed a field")
        _ = payload.nested("variants")
        _ = payload.values("purchase_ids")
    }

    /// The values of each exact name, in order: what the audit row keeps (interleaving across names is not kept).
    private static func valuesByName(_ payload: WebhookPayload) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for (name, value) in payload.fields { values[name, default: []].append(value) }
        return values
    }

    static func products(_ bytes: [UInt8]) {
        guard let catalog = try? ProductCatalog(bytes: bytes, fileName: "fuzz.yaml") else { return }
        for source in catalog.sources {
            for product in catalog.products(source: source) {
                _ = catalog.mapping(
                    source: source, productID: product.productID, variantOptions: Array(product.variants.keys))
            }
        }
    }

    /// A verifier trusting both fuzzing keys whose clock reads `now`, with the skew as wide as it goes so that `iat`
    /// rarely decides.
    static func verifier(at now: Timestamp) -> LicenseVerifier {
        var verifier = LicenseVerifier(trustedKeys: TrustedKeys([signingKey.publicKey, otherKey]), clock: { now })
        verifier.allowedClockSkew = 1e9
        return verifier
    }

    static func token(_ bytes: [UInt8]) {
        if bytes.starts(with: Array("v4.public.".utf8)) || bytes.starts(with: Array("v4.".utf8)) {
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? verifier(at: Timestamp(seconds: 1_700_000_000)).verify(licenseToken: text)
            _ = try? LicenseToken.unverifiedClaims(of: text)
            _ = try? PASETOv4Public.verify(text, using: signingKey.publicKey, expectedFooter: Array("{}".utf8))
            return
        }
        // Arbitrary bytes as the payload of a genuinely signed token: reaches the claims and time parsers, which
        // an attacker can only feed through a stolen key or a token licensor issued, but which must not crash.
        let footer = LicenseToken.footer(for: signingKey)
        guard let token = try? PASETOv4Public.sign(payload: bytes, footer: footer, using: signingKey) else { return }
        let unverified = try? LicenseToken.unverifiedClaims(of: token)
        // Verified at its own issue time, so that only the signature, the kind, the issuer and `exp` can refuse it.
        let claims = unverified.flatMap { try? verifier(at: $0.issuedAt).verify(licenseToken: token) }
        if let claims {
            precondition(unverified == claims, "verified and unverified claims differ")
            // Re-signing what was read (as a renewal does from a stored token) must give a token that verifies to the
            // same claims; tokens carry whole seconds, so fractions are dropped on the way.
            guard let resigned = try? LicenseToken.sign(claims, with: signingKey) else {
                fatalError("claims read from a token cannot be signed again")
            }
            let again: LicenseClaims
            do {
                again = try verifier(at: claims.issuedAt).verify(licenseToken: resigned)
            } catch {
                fatalError("re-signed claims do not verify: \(error)")
            }
            var expected = claims
            expected.issuedAt = Timestamp(seconds: claims.issuedAt.seconds)
            expected.expiresAt = claims.expiresAt.map { Timestamp(seconds: $0.seconds) }
            precondition(again == expected, "re-signed claims verify to different claims")
        }
    }

    /// The machine the lease target's tokens are bound to.
    static let fingerprint = "fuzz-machine"

    /// Lease tokens under the fuzzing key: one with a nonce and a license end, one lifetime, one for another machine.
    static func seedLeases() throws -> [String] {
        let base = LeaseClaims(
            key: "ABCD-EFGH-JKLM-NPQR", productID: "demo-product-id", tier: "pro", instanceID: "inst-1",
            nonce: "n-1", issuedAt: Timestamp(seconds: 1_764_358_736), expiresAt: Timestamp(seconds: 1_764_963_536),
            licenseExpiresAt: Timestamp(seconds: 1_795_894_736))
        var lifetime = base
        lifetime.licenseExpiresAt = nil
        lifetime.nonce = nil
        return [
            try LeaseToken.sign(base, fingerprint: fingerprint, with: signingKey),
            try LeaseToken.sign(lifetime, fingerprint: fingerprint, with: signingKey),
            try LeaseToken.sign(base, fingerprint: "another-machine", with: signingKey),
        ]
    }

    static func lease(_ bytes: [UInt8]) {
        if bytes.starts(with: Array("v4.".utf8)) {
            let text = String(decoding: bytes, as: UTF8.self)
            let verifier = verifier(at: Timestamp(seconds: 1_764_400_000))
            let lease = try? verifier.verify(leaseToken: text, fingerprint: fingerprint)
            let license = try? verifier.verify(licenseToken: text)
            precondition(lease == nil || license == nil, "one token verified as both a lease and a license")
            return
        }
        // Arbitrary bytes as the payload of a lease genuinely signed for the fuzzing machine.
        guard
            let token = try? PASETOv4Public.sign(
                payload: bytes, footer: LicenseToken.footer(for: signingKey),
                implicitAssertion: Array(fingerprint.utf8), using: signingKey)
        else { return }
        guard let json = try? JSONParser.parse(bytes), let unverified = try? LeaseClaims(json: json) else { return }
        let verifier = verifier(at: unverified.issuedAt)
        guard let claims = try? verifier.verify(leaseToken: token, fingerprint: fingerprint) else { return }
        precondition(claims == unverified, "verified and unverified lease claims differ")
        if (try? verifier.verify(leaseToken: token, fingerprint: fingerprint + "x")) != nil {
            fatalError("a lease verified for another fingerprint")
        }
        guard let resigned = try? LeaseToken.sign(claims, fingerprint: fingerprint, with: signingKey) else {
            fatalError("lease claims read from a token cannot be signed again")
        }
        let again: LeaseClaims
        do {
            again = try verifier.verify(leaseToken: resigned, fingerprint: fingerprint)
        } catch {
            fatalError("re-signed lease claims do not verify: \(error)")
        }
        var expected = claims
        expected.issuedAt = Timestamp(seconds: claims.issuedAt.seconds)
        expected.expiresAt = Timestamp(seconds: claims.expiresAt.seconds)
        expected.licenseExpiresAt = claims.licenseExpiresAt.map { Timestamp(seconds: $0.seconds) }
        precondition(again == expected, "re-signed lease claims verify to different claims")
    }
}
