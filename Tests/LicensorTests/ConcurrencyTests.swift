import Glibc
import Licensor
import Testing

/// Real processes racing on a real database, the way a function runner starts copies.
@Suite("Concurrent invocations", .serialized)
struct ConcurrencyTests {
    /// Starts one binary per envelope, `width` at a time, and returns each response's status and the run's stderr.
    static func runAll(_ harness: Harness, envelopes: [String], width: Int) throws -> [(status: Int, stderr: String)] {
        var results: [(status: Int, stderr: String)] = []
        var index = 0
        while index < envelopes.count {
            let batch = envelopes[index..<min(index + width, envelopes.count)]
            var running: [(pid: pid_t, out: String, err: String)] = []
            for (offset, envelope) in batch.enumerated() {
                let base = "\(harness.folder)/run-\(index + offset)"
                try writeFile(base + ".in", envelope)
                let pid = try ChildProcess.spawn(
                    PackagePaths.binary, [], environment: harness.environment, stdin: base + ".in",
                    stdout: base + ".out", stderr: base + ".err")
                running.append((pid, base + ".out", base + ".err"))
            }
            for process in running {
                let exit = ChildProcess.wait(process.pid)
                let stdout = ChildProcess.readFile(process.out)
                let stderr = String(decoding: ChildProcess.readFile(process.err), as: UTF8.self)
                let status = (try? JSONParser.parse(stdout))?["statusCode"].flatMap { value -> Int? in
                    if case .number(let n) = value { Int(n) } else { nil }
                }
                results.append((exit == 0 ? (status ?? -1) : -Int(exit), stderr))
            }
            index += width
        }
        return results
    }

    static func writeFile(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "wb") else { throw ChildProcess.Failure(description: "cannot write \(path)") }
        fputs(text, file)
        fclose(file)
    }

    static func envelope(_ fields: [(name: String, value: String)]) -> String {
        JSONValue.object([
            ("method", .string("POST")), ("path", .string("/webhooks/gumroad")),
            ("query", .string("secret=\(Harness.secret)")),
            ("headers", .object([("Content-Type", .string("application/x-www-form-urlencoded"))])),
            ("body", .string(FormDecoding.encode(fields))),
        ]).serialized()
    }

    @Test(
        "32 processes delivering the same sale: one license, 32 audit rows, all 200, one email",
        arguments: StoreKind.available)
    func sameSale(kind: StoreKind) throws {
        try withFakePostmark { server in
            let harness = try Harness.make(
                kind,
                extra: [
                    "POSTMARK_TOKEN": "ok", "POSTMARK_API_URL": server.baseURL, "EMAIL_FROM": "shop@example.com",
                    "LOG_LEVEL": "warning",
                ])
            // Make the SQLite file and key exist first, as after the first sale of a real deployment.
            _ = try harness.run(["migrate"])
            let envelope = Self.envelope(Harness.saleFields("RACE-1"))
            let results = try Self.runAll(harness, envelopes: Array(repeating: envelope, count: 32), width: 32)
            #expect(results.map(\.status) == Array(repeating: 200, count: 32), "\(results.map(\.stderr).joined())")
            let store = try harness.store()
            defer { store.close() }
            #expect(try store.events(failedOnly: false, since: nil, limit: 100).count == 32)
            #expect(try store.events(failedOnly: true, since: nil, limit: 100).isEmpty)
            #expect(try store.licenses(email: "buyer@example.com").count == 1)
            #expect(try server.requests().count == 1)
        }
    }

    @Test("200 different sales from 8 concurrent processes: 200 licenses and no 5xx", arguments: StoreKind.available)
    func manySales(kind: StoreKind) throws {
        let harness = try Harness.make(kind, extra: ["LOG_LEVEL": "warning"])
        _ = try harness.run(["migrate"])
        let envelopes = (0..<200).map {
            Self.envelope(Harness.saleFields("MANY-\($0)", email: "many\($0)@example.com"))
        }
        let results = try Self.runAll(harness, envelopes: envelopes, width: 8)
        #expect(results.filter { $0.status != 200 }.isEmpty, "\(results.filter { $0.status != 200 }.prefix(3))")
        let store = try harness.store()
        defer { store.close() }
        #expect(try store.events(failedOnly: false, since: nil, limit: 1000).count == 200)
        #expect(try store.events(failedOnly: true, since: nil, limit: 1000).isEmpty)
        for i in [0, 99, 199] {
            #expect(try store.license(source: "gumroad", orderID: "MANY-\(i)") != nil)
        }
    }
}
