import FoundationEssentials
import Glibc
import Licensor

/// A running `fake_lambda_runtime.py`: a real Runtime API stand-in on loopback, serving queued events.
final class FakeLambdaRuntime {
    /// One queued invocation.
    struct Event {
        var id: String
        var body: String
    }

    /// One call the fake recorded.
    struct Record: Decodable {
        var kind: String
        var id: String?
        var body: String?
        var headers: [[String]]?
        var after: Int?
        var kb: Int?
        var fds: Int?

        func header(_ name: String) -> String? {
            headers?.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    static let scriptPath = supportScript("fake_lambda_runtime.py")

    let pid: pid_t
    let port: Int
    let directory: String
    var address: String { "127.0.0.1:\(port)" }
    private var logPath: String { directory + "/calls.jsonl" }

    init(events: [Event], rssAfter: [Int] = []) throws {
        directory = try makeTemporaryDirectory(prefix: "fake-lambda")
        let lines = events.map {
            JSONValue.object([("id", .string($0.id)), ("body", .string($0.body))]).serialized() + "\n"
        }

        let eventsPath = directory + "/events.jsonl"
        guard let file = fopen(eventsPath, "wb") else { throw TestSupportError(description: "cannot write events") }
        for line in lines { fputs(line, file) }
        fclose(file)
        var arguments = ["python3", Self.scriptPath, "--events", eventsPath, "--log", directory + "/calls.jsonl"]
        for n in rssAfter { arguments += ["--rss-after", String(n)] }
        (pid, port) = try startLoopbackServer(arguments, name: "fake_lambda_runtime.py")
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// Tells the fake which process to measure.
    func announce(pid client: pid_t) throws {
        let response = try CurlHTTPClient().execute(
            HTTPClientRequest(method: "POST", url: "http://\(address)/_test/pid", body: Array(String(client).utf8)),
            connectTimeout: .seconds(5), totalTimeout: .seconds(10))
        guard response.status == 204 else { throw TestSupportError(description: "pid not accepted") }
    }

    /// Every call recorded so far.
    func records() throws -> [Record] {
        guard let data = try? readFile(logPath) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(Record.self, from: Data($0))
        }
    }
}

/// Waits for a child at most `seconds`, killing it when it overstays; returns its exit status (nil when killed).
func waitForExit(_ pid: pid_t, seconds: Int) -> Int32? {
    let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
    var status: Int32 = 0
    while ContinuousClock.now < deadline {
        let done = waitpid(pid, &status, WNOHANG)
        if done == pid { return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil }
        if done < 0 && errno != EINTR { return nil }
        usleep(20_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
    return nil
}
