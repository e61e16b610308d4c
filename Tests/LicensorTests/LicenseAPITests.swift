import Glibc
import Licensor
import LicensorVerifier
import Testing

/// An installation with one seat-limited product, driven in-process (`handle`) or through the binary.
struct SeatShop {
    var harness: Harness
    static let product = "seat-product"

    init(_ kind: StoreKind, seats: Int = 2, deactivations: String = "1/30d") throws {
        harness = try Harness.make(kind)
        let yaml = """
            gumroad:
              "\(Self.product)":
                tier: pro
                name: Seat Product
                activations: \(seats)
                deactivations: \(deactivations)
              "demo-product-id":
                tier: pro
            """
        try harness.useProductsFile(yaml)
    }

    /// Mints a license through a Gumroad sale and returns its key.
    func mint(_ sale: String, product: String = SeatShop.product) throws -> String {
        let response = harness.handle(Harness.webhook(Harness.saleFields(sale, product: product)))
        let body = try JSONParser.parse(response.body)
        #expect(body["status"]?.stringValue == "processed", "\(body)")
        let store = try harness.store()
        defer { store.close() }
        return try #require(try store.license(source: "gumroad", orderID: sale)).key
    }

    static func request(_ path: String, _ fields: [(String, String)], contentType: String? = nil) -> HTTPRequest {
        HTTPRequest(
            method: "POST", path: path,
            headers: HTTPHeaders([("Content-Type", contentType ?? "application/x-www-form-urlencoded")]),
            body: Array(FormDecoding.encode(fields.map { (name: $0.0, value: $0.1) }).utf8))
    }

    func call(_ route: String, _ fields: [(String, String)]) throws -> (status: Int, body: JSONValue) {
        let response = harness.handle(Self.request("/v1/licenses/\(route)", fields))
        #expect(response.headers["Cache-Control"] == "no-store")
        return (response.status, try JSONParser.parse(response.body))
    }

    func verifier() throws -> LicenseVerifier {
        let pem = String(
            decoding: ChildProcess.readFile(harness.environment["LICENSE_SIGNING_KEY"] ?? signingKeyPath), as: UTF8.self
        )
        let key = try Ed25519PrivateKey(pemRepresentation: pem)
        return LicenseVerifier(trustedKeys: TrustedKeys([key.publicKey]))
    }

    /// Where SQLite keeps the key it generated beside the database.
    var signingKeyPath: String {
        SigningKeys.defaultKeyPath(besideDatabase: harness.folder + "/licensor.sqlite3")
    }
}

@Suite("App-facing license API")
struct LicenseAPITests {
    @Test(
        "activate, the same machine again, the seat limit, deactivate, the deactivation budget",
        arguments: StoreKind.available)
    func seats(kind: StoreKind) throws {
        let shop = try SeatShop(kind)
        let key = try shop.mint("SEATS-1")
        let first = try shop.call(
            "activate", [("license_key", key), ("instance_name", "Laptop"), ("fingerprint", "fp-a")])
        #expect(first.status == 200 && first.body["activated"] == .bool(true) && first.body["code"] == .string("VALID"))
        let instance = try #require(first.body["instance"]?["id"]?.stringValue)
        #expect(instance.count == 36)
        #expect(first.body["license_key"]?["activation_limit"] == .number("2"))
        #expect(first.body["license_key"]?["activation_usage"] == .number("1"))
        #expect(first.body["license_key"]?["status"] == .string("active"))
        if case .number = first.body["license_key"]?["id"] {} else { Issue.record("license_key.id is not a number") }
        let token = try #require(first.body["token"]?.stringValue)
        let lease = try shop.verifier().verify(leaseToken: token, fingerprint: "fp-a")
        #expect(lease.instanceID == instance && lease.key == key)
        let elsewhere = #expect(throws: VerificationError.self) {
            try shop.verifier().verify(leaseToken: token, fingerprint: "fp-b")
        }
        #expect(elsewhere?.code == .wrongMachine)

        // The same machine gets its instance back, in lower case and without dashes too.
        let typed = key.lowercased().replacing("-", with: "")
        let again = try shop.call(
            "activate", [("license_key", typed), ("instance_name", "Laptop"), ("fingerprint", "fp-a")])
        #expect(again.body["instance"]?["id"]?.stringValue == instance)
        #expect(again.body["license_key"]?["activation_usage"] == .number("1"))

        #expect(
            try shop.call("activate", [("license_key", key), ("instance_name", "Desk"), ("fingerprint", "fp-b")])
                .status == 200)
        let full = try shop.call(
            "activate", [("license_key", key), ("instance_name", "Third"), ("fingerprint", "fp-c")])
        #expect(full.status == 400 && full.body["code"] == .string("ACTIVATION_LIMIT_REACHED"))
        #expect(full.body["error"] == .string("This license key has reached the activation limit."))

        let freed = try shop.call("deactivate", [("license_key", key), ("instance_id", instance)])
        #expect(freed.status == 200 && freed.body["deactivated"] == .bool(true))
        #expect(try shop.call("deactivate", [("license_key", key), ("instance_id", instance)]).status == 200)
        #expect(
            try shop.call("activate", [("license_key", key), ("instance_name", "Third"), ("fingerprint", "fp-c")])
                .status == 200)
        let budget = try shop.call("deactivate", [("license_key", key), ("fingerprint", "fp-b")])
        #expect(budget.status == 400 && budget.body["code"] == .string("DEACTIVATION_LIMIT_REACHED"))
        let missing = try shop.call("deactivate", [("license_key", key), ("instance_id", "no-such-instance")])
        #expect(missing.status == 404 && missing.body["code"] == .string("ACTIVATION_NOT_FOUND"))

        let listed = try shop.call("activations", [("license_key", key)])
        #expect(listed.body["instances"]?.arrayValue?.count == 2)
        let command = try shop.harness.run(["activations", key, "--json"])
        #expect(command.status == 0)
        #expect(try JSONParser.parse(command.stdout)["activation_usage"] == .number("2"))
        let id = try #require(listed.body["instances"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try shop.harness.run(["deactivate", key, "--instance", id]).status == 0)
        #expect(try shop.harness.run(["deactivate", key, "--instance", "nope"]).status != 0)
    }

    @Test(
        "validate: the license, an instance, a fingerprint; a refund says REVOKED at once and issues no lease",
        arguments: StoreKind.available)
    func validate(kind: StoreKind) throws {
        let shop = try SeatShop(kind)
        let key = try shop.mint("VALIDATE-1")
        #expect(try shop.call("validate", [("license_key", key)]).body["valid"] == .bool(true))
        let unknown = try shop.call("validate", [("license_key", "22222-22222-22222-22222-22222")])
        #expect(unknown.status == 404 && unknown.body["code"] == .string("NOT_FOUND"))
        let notActivated = try shop.call("validate", [("license_key", key), ("fingerprint", "fp-a")])
        #expect(notActivated.body["valid"] == .bool(false) && notActivated.body["code"] == .string("NO_ACTIVATION"))
        let activated = try shop.call(
            "activate", [("license_key", key), ("instance_name", "Laptop"), ("fingerprint", "fp-a")])
        let instance = try #require(activated.body["instance"]?["id"]?.stringValue)
        let byInstance = try shop.call("validate", [("license_key", key), ("instance_id", instance)])
        #expect(byInstance.body["valid"] == .bool(true) && byInstance.body["instance"]?["id"]?.stringValue == instance)
        #expect(byInstance.body["token"] == .null)
        let leased = try shop.call("token", [("license_key", key), ("fingerprint", "fp-a"), ("nonce", "n-42")])
        let token = try #require(leased.body["token"]?.stringValue)
        #expect(try shop.verifier().verify(leaseToken: token, fingerprint: "fp-a").nonce == "n-42")
        let mismatch = try shop.call("validate", [("license_key", key), ("product", "another-product")])
        #expect(mismatch.body["code"] == .string("PRODUCT_MISMATCH"))
        let badInstance = try shop.call("validate", [("license_key", key), ("instance_id", "nope")])
        #expect(badInstance.status == 404 && badInstance.body["code"] == .string("ACTIVATION_NOT_FOUND"))

        let verify = shop.harness.handle(
            SeatShop.request("/v2/licenses/verify", [("product_id", SeatShop.product), ("license_key", key)]))
        let gumroad = try JSONParser.parse(verify.body)
        #expect(verify.status == 200 && gumroad["success"] == .bool(true) && gumroad["uses"] == .number("1"))
        let peek = shop.harness.handle(
            SeatShop.request(
                "/v2/licenses/verify",
                [("product_id", SeatShop.product), ("license_key", key), ("increment_uses_count", "false")]))
        #expect(try JSONParser.parse(peek.body)["uses"] == .number("1"))
        #expect(try JSONParser.parse(try SeatShop.gumroadVerify(shop, key).body)["uses"] == .number("2"))
        let otherProduct = shop.harness.handle(
            SeatShop.request("/v2/licenses/verify", [("product_id", "demo-product-id"), ("license_key", key)]))
        #expect(otherProduct.status == 404)

        let refund = shop.harness.handle(
            Harness.webhook([("sale_id", "VALIDATE-1"), ("resource_name", "refund"), ("refunded", "true")]))
        #expect(refund.status == 200)
        let revoked = try shop.call("validate", [("license_key", key), ("fingerprint", "fp-a")])
        #expect(revoked.body["valid"] == .bool(false) && revoked.body["code"] == .string("REVOKED"))
        #expect(revoked.body["token"] == .null && revoked.body["license_key"]?["status"] == .string("disabled"))
        let noLease = try shop.call("token", [("license_key", key), ("fingerprint", "fp-a")])
        #expect(noLease.body["token"] == .null && noLease.body["code"] == .string("REVOKED"))
        let noSeat = try shop.call(
            "activate", [("license_key", key), ("instance_name", "New"), ("fingerprint", "fp-z")])
        #expect(noSeat.status == 400 && noSeat.body["code"] == .string("REVOKED"))
        #expect(try SeatShop.gumroadVerify(shop, key).status == 404)
        // A seat can still be freed on a revoked license; the code says why the license is not good.
        let freed = try shop.call("deactivate", [("license_key", key), ("fingerprint", "fp-a")])
        #expect(
            freed.status == 200 && freed.body["deactivated"] == .bool(true) && freed.body["code"] == .string("REVOKED"))
    }

    @Test(
        "bad input gets a precise 4xx with a code and writes nothing",
        arguments: [
            ("no key", [("instance_name", "x")], "application/x-www-form-urlencoded", 422),
            (
                "no instance name", [("license_key", "22222-22222-22222-22222-22222")],
                "application/x-www-form-urlencoded", 422
            ),
            (
                "key of another shape", [("license_key", "abc"), ("instance_name", "x")],
                "application/x-www-form-urlencoded", 404
            ),
            ("unknown content type", [("license_key", "x")], "text/plain", 415),
            ("repeated field", [("license_key", "a"), ("license_key", "b")], "application/x-www-form-urlencoded", 422),
            (
                "long field", [("license_key", String(repeating: "A", count: 2000))],
                "application/x-www-form-urlencoded", 422
            ),
            ("control character", [("license_key", "22222-22222\u{1}")], "application/x-www-form-urlencoded", 422),
        ] as [(String, [(String, String)], String, Int)])
    func badInput(_ label: String, _ fields: [(String, String)], _ contentType: String, _ status: Int) throws {
        let shop = try SeatShop(.sqlite)
        let response = shop.harness.handle(SeatShop.request("/v1/licenses/activate", fields, contentType: contentType))
        #expect(response.status == status, "\(label)")
        let body = try JSONParser.parse(response.body)
        #expect(body["activated"] == .bool(false) && body["code"]?.stringValue != nil, "\(label): \(body)")
    }

    @Test("JSON bodies; a JSON array where a string belongs; a 1 MiB body of fields; unicode names")
    func jsonBodies() throws {
        let shop = try SeatShop(.sqlite)
        let key = try shop.mint("JSON-1")
        func post(_ json: String) -> HTTPResponse {
            shop.harness.handle(
                HTTPRequest(
                    method: "POST", path: "/v1/licenses/activate",
                    headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(json.utf8)))
        }
        #expect(post(#"{"license_key":"\#(key)","instance_name":"Zoë’s Mac 🍎"}"#).status == 200)
        #expect(post(#"{"license_key":["\#(key)"],"instance_name":"x"}"#).status == 422)
        #expect(post(#"{"license_key":"\#(key)","instance_name":{"a":1}}"#).status == 422)
        #expect(post("not json").status == 422)
        let huge =
            "{" + (0..<40_000).map { #""f\#($0)":"\#(String(repeating: "x", count: 20))""# }.joined(separator: ",")
            + "}"
        #expect(post(huge).status == 422)
        #expect(try shop.call("activations", [("license_key", key)]).body["instances"]?.arrayValue?.count == 1)
    }

    /// The JSON type of a value, as a client decoding Lemon Squeezy's types sees it.
    static func kind(_ value: JSONValue?) -> String {
        switch value {
        case .number?: "number"
        case .string?: "string"
        case .bool?: "bool"
        case .null?: "null"
        case .object?: "object"
        case .array?: "array"
        case nil: "missing"
        }
    }

    @Test("every answer has the fields and JSON types of lemonsqueezy.js's license types (src/license/types.ts)")
    func lemonSqueezyTypes() throws {
        let shop = try SeatShop(.sqlite)
        let key = try shop.mint("TYPES-1")
        let activated = try shop.call("activate", [("license_key", key), ("instance_name", "Test")])
        let id = try #require(activated.body["instance"]?["id"]?.stringValue)
        let validated = try shop.call("validate", [("license_key", key), ("instance_id", id)])
        let deactivated = try shop.call("deactivate", [("license_key", key), ("instance_id", id)])
        let licenseKey: [String: Set<String>] = [
            "id": ["number"], "status": ["string"], "key": ["string"], "activation_limit": ["number", "null"],
            "activation_usage": ["number"], "created_at": ["string"], "expires_at": ["string", "null"],
            "test_mode": ["bool"],
        ]
        let meta: [String: Set<String>] = [
            "store_id": ["number", "null"], "order_id": ["number", "null"], "order_item_id": ["number", "null"],
            "product_id": ["number", "null"], "product_name": ["string", "null"], "variant_id": ["number", "null"],
            "variant_name": ["string", "null"], "customer_id": ["number", "null"], "customer_name": ["string"],
            "customer_email": ["string"],
        ]
        for (flag, answer) in [("activated", activated), ("valid", validated), ("deactivated", deactivated)] {
            #expect(answer.status == 200 && answer.body[flag] == .bool(true), "\(flag): \(answer.body)")
            #expect(Self.kind(answer.body["error"]) == "null")
            for (field, kinds) in licenseKey {
                #expect(kinds.contains(Self.kind(answer.body["license_key"]?[field])), "\(flag) license_key.\(field)")
            }
            for (field, kinds) in meta {
                #expect(kinds.contains(Self.kind(answer.body["meta"]?[field])), "\(flag) meta.\(field)")
            }
        }
        for answer in [activated, validated] {
            for field in ["id", "name", "created_at"] {
                #expect(Self.kind(answer.body["instance"]?[field]) == "string", "instance.\(field)")
            }
        }
        #expect(Self.kind(try shop.call("validate", [("license_key", key)]).body["instance"]) == "null")
        let refused = try shop.call(
            "activate", [("license_key", "22222-22222-22222-22222-22222"), ("instance_name", "x")])
        #expect(refused.status == 404 && Self.kind(refused.body["error"]) == "string")
    }

    @Test(
        "recover: the same answer for known and unknown addresses, one email per address per interval, at once",
        arguments: StoreKind.available)
    func recover(kind: StoreKind) throws {
        try withFakePostmark { postmark in
            var shop = try SeatShop(kind)
            shop.harness.environment.merge(
                ["POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": postmark.baseURL, "EMAIL_FROM": "shop@example.com"]
            ) { $1 }
            let key = try shop.mint("RECOVER-1")
            func recoveries() throws -> [RecordedRequest] {
                try postmark.requests().filter { $0.body.contains(#""Tag":"recovery""#) }
            }
            let folder = shop.harness.folder
            var pids: [pid_t] = []
            for attempt in 0..<8 {
                let envelope = JSONValue.object([
                    ("method", .string("POST")), ("path", .string("/v1/licenses/recover")),
                    ("body", .string("email=BUYER%40example.com")),
                ]).serialized()
                let input = try TemporaryDirectory.shared.write(
                    Array(envelope.utf8), name: "recover-\(attempt)-\(UInt64.random(in: 0...UInt64.max))")
                pids.append(
                    try ChildProcess.spawn(
                        PackagePaths.binary, [], environment: shop.harness.environment, stdin: input,
                        stdout: "\(folder)/recover-\(attempt).out"))
            }
            var bodies: Set<String> = []
            for (attempt, pid) in pids.enumerated() {
                #expect(ChildProcess.wait(pid) == 0)
                let envelope = try JSONParser.parse(ChildProcess.readFile("\(folder)/recover-\(attempt).out"))
                bodies.insert(envelope["body"]?.stringValue ?? "")
            }
            let sent = try recoveries()
            #expect(sent.count == 1 && sent.first?.body.contains(key) == true)
            let unknown = shop.harness.handle(
                SeatShop.request("/v1/licenses/recover", [("email", "nobody@example.com")]))
            bodies.insert(String(decoding: unknown.body, as: UTF8.self))
            #expect(bodies.count == 1 && unknown.status == 200, "\(bodies)")
            #expect(try recoveries().count == 1)
            let invalid = shop.harness.handle(SeatShop.request("/v1/licenses/recover", [("email", "not an address")]))
            #expect(invalid.status == 422)
        }
    }

    @Test("recover: a seller's recovery.txt in EMAIL_TEMPLATES_DIR words the email; the list is licensor's")
    func recoverTemplate() throws {
        try withFakePostmark { postmark in
            var shop = try SeatShop(.sqlite)
            let templates = TemporaryDirectory.shared.makeFolder("templates")
            let file = try TemporaryDirectory.shared.write(
                Array("Subject: Keys for {{email}}\n\nAhoy! Yours:\n{{licenses}}\n-- the shop\n".utf8),
                name: "recovery-\(UInt64.random(in: 0...UInt64.max)).txt")
            #expect(rename(file, templates + "/recovery.txt") == 0)
            shop.harness.environment.merge(
                [
                    "POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": postmark.baseURL, "EMAIL_FROM": "shop@example.com",
                    "EMAIL_TEMPLATES_DIR": templates,
                ]
            ) { $1 }
            let key = try shop.mint("RECOVER-TEMPLATE")
            let answer = shop.harness.handle(
                SeatShop.request("/v1/licenses/recover", [("email", "buyer@example.com")]))
            #expect(answer.status == 200)
            let sent = try postmark.requests().filter { $0.body.contains(#""Tag":"recovery""#) }
            let body = try #require(sent.first.map { try JSONParser.parse($0.body) })
            #expect(body["Subject"]?.stringValue == "Keys for buyer@example.com")
            #expect(body["TextBody"]?.stringValue?.hasPrefix("Ahoy! Yours:\n") == true)
            #expect(body["TextBody"]?.stringValue?.contains(key) == true)
            // recovery.html is absent: the built-in one, with licensor's list.
            #expect(body["HtmlBody"]?.stringValue?.contains("<code>\(key)</code>") == true)
        }
    }

    /// Every field of `documented`, recursively, with the same JSON type in `answer` (null where the documentation
    /// shows a value may be null too, and the reverse); licensor's extra fields are allowed.
    static func missingOrRetyped(_ documented: JSONValue, _ answer: JSONValue?, path: String = "") -> [String] {
        guard case .object(let members) = documented else {
            let expected = kind(documented)
            let found = kind(answer)
            let nullable = expected == "null" || found == "null"
            return expected == found || (nullable && found != "missing") ? [] : ["\(path): \(expected) → \(found)"]
        }
        guard case .object = answer else { return ["\(path): object → \(kind(answer))"] }
        return members.flatMap { key, value in missingOrRetyped(value, answer?[key], path: path + "." + key) }
    }

    @Test(
        "the request/response pairs of Lemon Squeezy's license API documentation: same fields, same JSON types",
        arguments: ["activate", "validate", "deactivate"])
    func lemonSqueezyDocumentedPairs(route: String) throws {
        let pair = try JSONParser.parse(
            Array(try CryptoTestSupport.resource("lemonsqueezy-license-api/\(route).json")))
        let shop = try SeatShop(.sqlite)
        let key = try shop.mint("DOCS-\(route)")
        // The documented request, with this installation's key (and, where it names one, its instance).
        var fields: [(String, String)] = []
        for case (let name, .string(let value)) in pair["request"]?["form"]?.objectValue ?? [] {
            fields.append((name, name == "license_key" ? key : value))
        }
        if fields.contains(where: { $0.0 == "instance_id" }) {
            let activated = try shop.call("activate", [("license_key", key), ("instance_name", "Test")])
            let instance = try #require(activated.body["instance"]?["id"]?.stringValue)
            fields = fields.map { $0.0 == "instance_id" ? ($0.0, instance) : $0 }
        }
        let answer = try shop.call(route, fields)
        #expect(answer.status == 200)
        let documented = try #require(pair["response"])
        #expect(Self.missingOrRetyped(documented, answer.body) == [], "\(answer.body)")
    }

    @Test("a license the operator revoked validates false as DISABLED, one a refund revoked as REVOKED")
    func disabledByOperator() throws {
        let shop = try SeatShop(.sqlite)
        let key = try shop.mint("DISABLED-1")
        #expect(try shop.harness.run(["revoke", key, "--reason", "chargeback by email"]).status == 0)
        let answer = try shop.call("validate", [("license_key", key)])
        #expect(answer.body["valid"] == .bool(false) && answer.body["code"] == .string("DISABLED"))
        #expect(answer.body["license_key"]?["status"] == .string("disabled"))
    }

    @Test("the database being down answers 503 UNAVAILABLE")
    func unavailable() throws {
        var shop = try SeatShop(.sqlite)
        shop.harness.environment["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
        let response = shop.harness.handle(
            SeatShop.request("/v1/licenses/validate", [("license_key", "22222-22222-22222-22222-22222")]))
        #expect(response.status == 503)
        #expect(try JSONParser.parse(response.body)["code"] == .string("UNAVAILABLE"))
    }

    @Test(
        "N free seats and 4N simultaneous activations from separate processes: exactly N succeed",
        arguments: StoreKind.available)
    func concurrentActivations(kind: StoreKind) throws {
        try Self.race(try SeatShop(kind, seats: 3), seats: 3)
    }

    @Test("the same race through PgBouncer in transaction mode")
    func concurrentActivationsThroughPgBouncer() throws {
        guard let url = getenv("LICENSOR_TEST_PGBOUNCER_URL").map({ String(cString: $0) }) else {
            #expect(!StoreKind.isCI, "CI is set but LICENSOR_TEST_PGBOUNCER_URL is not")
            return
        }
        var shop = try SeatShop(.postgres, seats: 4)
        shop.harness.environment["DATABASE_URL"] = url
        #expect(try shop.harness.run(["migrate"]).status == 0)
        try Self.race(shop, seats: 4)
    }

    static func race(_ shop: SeatShop, seats: Int) throws {
        let key = try shop.mint("RACE-\(UInt64.random(in: 0...UInt64.max))")
        let folder = shop.harness.folder
        var pids: [pid_t] = []
        for machine in 0..<(4 * seats) {
            let envelope = JSONValue.object([
                ("method", .string("POST")), ("path", .string("/v1/licenses/activate")),
                ("headers", .object([("Content-Type", .string("application/x-www-form-urlencoded"))])),
                ("body", .string("license_key=\(key)&instance_name=m\(machine)&fingerprint=fp-\(machine)")),
            ]).serialized()
            let input = try TemporaryDirectory.shared.write(Array(envelope.utf8), name: "race-\(machine)-\(getpid())")
            pids.append(
                try ChildProcess.spawn(
                    PackagePaths.binary, [], environment: shop.harness.environment, stdin: input,
                    stdout: "\(folder)/race-\(machine).out"))
        }
        for pid in pids { #expect(ChildProcess.wait(pid) == 0) }
        var activated = 0
        var refused = 0
        for machine in 0..<(4 * seats) {
            let envelope = try JSONParser.parse(ChildProcess.readFile("\(folder)/race-\(machine).out"))
            let body = try JSONParser.parse(try #require(envelope["body"]?.stringValue))
            if body["activated"] == .bool(true) { activated += 1 }
            if body["code"] == .string("ACTIVATION_LIMIT_REACHED") { refused += 1 }
        }
        #expect(activated == seats && refused == 3 * seats)
        let store = try shop.harness.store()
        defer { store.close() }
        #expect(try store.instances(key: key).count == seats)
    }
}

extension SeatShop {
    static func gumroadVerify(_ shop: SeatShop, _ key: String) throws -> HTTPResponse {
        shop.harness.handle(
            request("/v2/licenses/verify", [("product_id", product), ("license_key", key)]))
    }
}
