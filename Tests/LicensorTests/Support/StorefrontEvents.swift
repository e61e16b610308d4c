import FoundationEssentials
import Glibc
import Licensor

/// Recorded events of the signed storefronts (`events/<source>/`), signed here with test secrets and the current
/// time, as each storefront signs a delivery.
enum StorefrontEvents {
    /// The test secret of every signed storefront, by its secret variable.
    static let secrets = [
        "STRIPE_WEBHOOK_SECRET": "whsec_test_secret", "LEMONSQUEEZY_WEBHOOK_SECRET": "ls-test-signing-secret",
        "PADDLE_WEBHOOK_SECRET": "pdl_ntfset_01test_secret", "POLAR_WEBHOOK_SECRET": "polar_whs_test_secret",
    ]

    /// The exact bytes of `events/<source>/<name>.json`.
    static func body(_ source: String, _ name: String) -> [UInt8] {
        ChildProcess.readFile(PackagePaths.file("events/\(source)/\(name).json"))
    }

    /// The signing headers of a delivery of `body` at `time` (unix seconds), under `secret`.
    static func headers(
        _ source: String, _ body: [UInt8], secret: String? = nil, time: Int64 = Int64(Glibc.time(nil))
    ) -> [(String, String)] {
        func mac(_ message: [UInt8], _ variable: String) -> [UInt8] {
            HMACSHA256.authenticationCode(for: message, key: Array((secret ?? secrets[variable]!).utf8))
        }
        switch source {
        case "stripe":
            return [
                (
                    "Stripe-Signature",
                    "t=\(time),v1=\(Hex.encode(mac(Array("\(time).".utf8) + body, "STRIPE_WEBHOOK_SECRET")))"
                )
            ]
        case "lemonsqueezy":
            let name = (try? JSONParser.parse(body))?["meta"]?["event_name"]?.stringValue ?? ""
            return [("X-Event-Name", name), ("X-Signature", Hex.encode(mac(body, "LEMONSQUEEZY_WEBHOOK_SECRET")))]
        case "paddle":
            return [
                (
                    "Paddle-Signature",
                    "ts=\(time);h1=\(Hex.encode(mac(Array("\(time):".utf8) + body, "PADDLE_WEBHOOK_SECRET")))"
                )
            ]
        case "polar":
            let id = "msg_" + Hex.encode(HMACSHA256.sha256(body).prefix(8))
            let code = mac(Array("\(id).\(time).".utf8) + body, "POLAR_WEBHOOK_SECRET")
            return [
                ("webhook-id", id), ("webhook-timestamp", String(time)),
                ("webhook-signature", "v1," + Data(code).base64EncodedString()),
            ]
        default:
            return []
        }
    }

    /// The canonical JSON envelope of a signed delivery, as a runner pipes it to the binary.
    static func envelope(_ source: String, _ body: [UInt8], headers: [(String, String)]) -> String {
        let fields: [(String, JSONValue)] =
            [("Content-Type", .string("application/json"))] + headers.map { ($0.0, .string($0.1)) }
        return JSONValue.object([
            ("method", .string("POST")), ("path", .string("/webhooks/\(source)")), ("headers", .object(fields)),
            ("body", .string(String(decoding: body, as: UTF8.self))),
        ]).serialized()
    }
}

/// A running `fake_storefront_api.py`: Stripe line items and Paddle customers on loopback.
final class FakeStorefrontAPI {
    static let scriptPath = supportScript("fake_storefront_api.py")

    let pid: pid_t
    let port: Int
    let logPath: String
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let directory = try makeTemporaryDirectory(prefix: "fake-storefront-api")
        logPath = directory + "/requests.jsonl"
        (pid, port) = try startLoopbackServer(
            ["python3", Self.scriptPath, "--log", logPath], name: "fake_storefront_api.py")
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// The paths requested so far.
    var requestedPaths: [String] {
        String(decoding: ChildProcess.readFile(logPath), as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONParser.parse(String($0)))?["path"]?.stringValue
        }
    }
}
