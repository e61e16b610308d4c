import Glibc
import Licensor
import Logging

/// A throwaway licensor installation: its own database, signing key and environment, driven in-process or
/// through the built binary.
struct Harness {
    static let secret = "demo-secret"

    let folder: String
    var environment: [String: String]

    /// A harness on a fresh SQLite file.
    init(extra: [String: String] = [:]) {
        folder = TemporaryDirectory.shared.makeFolder("harness")
        environment = [
            "DATABASE_URL": "sqlite:\(folder)/licensor.sqlite3",
            "GUMROAD_WEBHOOK_SECRET": Self.secret,
            "PRODUCTS_FILE": PackagePaths.file("config/products.yaml"),
            "EMAIL_TEMPLATES_DIR": PackagePaths.file("config"),
            "LOG_LEVEL": "debug",
            "PATH": "/usr/bin:/bin",
        ]
        environment.merge(extra) { $1 }
    }

    static let logger: Logger = {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }()

    /// Writes `text` as this harness's products file and points `PRODUCTS_FILE` at it; returns its path.
    @discardableResult
    mutating func useProductsFile(_ text: String) throws -> String {
        let path = folder + "/products.yaml"
        try FileIO.replaceDurably(path, bytes: Array(text.utf8), mode: 0o600)
        environment["PRODUCTS_FILE"] = path
        return path
    }

    /// Answers a request in-process.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        Application(environment: environment, logger: Self.logger).respond(to: request)
    }

    /// Runs the built binary with stdin and returns its result.
    func run(_ arguments: [String] = [], input: [UInt8] = [], env: [String: String] = [:]) throws
        -> ChildProcess.Result
    {
        try ChildProcess.run(
            PackagePaths.binary, arguments, environment: environment.merging(env) { $1 }, input: input)
    }

    /// Pipes a canonical JSON envelope through the binary and decodes the JSON response envelope.
    func invoke(_ envelope: String, env: [String: String] = [:]) throws -> (
        status: Int, body: JSONValue, raw: ChildProcess.Result
    ) {
        let result = try run(input: Array(envelope.utf8), env: env)
        let document = try JSONParser.parse(result.stdout)
        guard case .number(let status)? = document["statusCode"], let body = document["body"]?.stringValue else {
            throw ChildProcess.Failure(description: "not a response envelope: \(result.stdoutText)")
        }
        return (Int(status) ?? 0, (try? JSONParser.parse(body)) ?? .string(body), result)
    }

    /// A harness on a fresh database of the given kind: an SQLite file, or a new schema in the test PostgreSQL
    /// cluster (with a signing key, which PostgreSQL requires).
    static func make(_ kind: StoreKind, extra: [String: String] = [:]) throws -> Harness {
        var harness = Harness(extra: extra)
        if kind == .postgres {
            harness.environment["DATABASE_URL"] = try StoreKind.freshPostgresSchema()
            let keyPath = harness.folder + "/signing-key.pem"
            try FileIO.createExclusively(
                keyPath, bytes: Array(try Ed25519PrivateKey.generate().pemRepresentation.utf8), mode: 0o600)
            harness.environment["LICENSE_SIGNING_KEY"] = keyPath
            _ = try harness.run(["migrate"])
        }
        return harness
    }

    /// Opens the harness database as a raw SQL connection, for tests that stage states licensor never writes.
    func database() throws -> any SQLDatabase {
        switch try DatabaseLocation(databaseURL: environment["DATABASE_URL"]) {
        case .sqlite(let path): try SQLiteDatabase(path: path, busyTimeout: .seconds(5))
        case .postgres(let url): try PostgresDatabase(url: url, deadline: Deadline(budget: .seconds(30)))
        }
    }

    /// Opens the harness database directly.
    func store() throws -> SQLLicenseStore {
        let location = try DatabaseLocation(databaseURL: environment["DATABASE_URL"])
        let store = try Services.openStore(location, deadline: Deadline(budget: .seconds(30)))
        try store.prepareForUse()
        return store as! SQLLicenseStore
    }

    /// A recorded event from `events/gumroad/`.
    static func event(_ name: String) throws -> String {
        String(decoding: ChildProcess.readFile(PackagePaths.file("events/gumroad/\(name).json")), as: UTF8.self)
    }

    /// A webhook request with a form body.
    static func webhook(
        _ fields: [(name: String, value: String)], secret: String? = Harness.secret, method: String = "POST"
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, path: "/webhooks/gumroad", query: secret.map { [("secret", $0)] } ?? [],
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")]),
            body: Array(FormDecoding.encode(fields).utf8))
    }

    /// A minimal valid sale.
    static func saleFields(
        _ saleID: String, product: String = "demo-product-id", email: String = "buyer@example.com"
    ) -> [(name: String, value: String)] {
        [
            ("sale_id", saleID), ("product_id", product), ("product_name", "Acme Pro"), ("email", email),
            ("price", "4900"), ("currency", "usd"), ("resource_name", "sale"),
        ]
    }
}
