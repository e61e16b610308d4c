import Glibc
import Logging

/// Why the Lambda runtime loop stopped.
package struct LambdaRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Sendable, Equatable, CustomStringConvertible {
        private let name: String

        /// The configuration is invalid; it was reported to `/runtime/init/error`.
        package static let initialization = Code(name: "initialization")
        /// The Runtime API answered `/next` with a non-200 status (500 means "container error, exit promptly").
        package static let runtimeAPIStatus = Code(name: "runtime API status")
        /// The Runtime API could not be reached.
        package static let transport = Code(name: "transport")

        package var description: String { name }
    }

    /// The kind of failure.
    package var code: Code
    /// What happened, in one line.
    package var message: String
    /// The libcurl failure underneath, when there is one.
    package var underlying: CurlError?

    /// Creates an error.
    package init(code: Code, message: String, underlying: CurlError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    package var description: String {
        "Lambda runtime \(code): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}

/// The AWS Lambda Runtime API loop (API version 2018-06-01): fetch an event, answer it in-process, post the
/// response, repeat.
///
/// Each event is an API Gateway 1.0, HTTP API 2.0 or Function URL event decoded by `JSONEnvelope`; a malformed
/// event is answered 400 like any bad envelope. Only when no response can be delivered is the invocation reported
/// to `/error`. The Runtime API never ends the loop on its own; a non-200 answer to `/next` ends it.
package struct LambdaRuntimeLoop {
    /// The largest event accepted: Lambda's synchronous payload limit is 6 MB.
    package static let maximumEventBytes = 7 << 20

    private let base: String
    private let environment: [String: String]
    private let logger: Logger
    private let client: CurlHTTPClient
    private let makeResponder: (Logger, Deadline) -> any HTTPResponder

    /// Creates a loop against `runtimeAPI` (`host:port`, the value of `AWS_LAMBDA_RUNTIME_API`); `responder` makes
    /// the responder for one invocation, given its logger and the deadline Lambda set for it. By default the
    /// application keeps its services warm across invocations and the client keeps its connection to the Runtime
    /// API open.
    package init(
        runtimeAPI: String, environment: [String: String], logger: Logger,
        client: CurlHTTPClient = CurlHTTPClient(connections: CurlConnectionCache()),
        responder: ((Logger, Deadline) -> any HTTPResponder)? = nil
    ) {
        self.base = "http://\(runtimeAPI)/2018-06-01/runtime"
        self.environment = environment
        self.logger = logger
        self.client = client
        if let responder {
            makeResponder = responder
        } else {
            let warm = WarmServices()
            makeResponder = { log, deadline in
                Application(environment: environment, logger: log, deadline: deadline, services: warm)
            }
        }
    }

    /// Runs until the Runtime API fails; with an invalid configuration reports an init error and throws at once.
    package func run() throws(LambdaRuntimeError) -> Never {
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            logger.critical("configuration error", metadata: ["error": "\(error)"])
            reportError(path: "/init/error", type: "Runtime.ConfigurationError", message: error.description)
            throw LambdaRuntimeError(code: .initialization, message: error.description)
        }
        var count = 0
        while true {
            try runOnce(budget: configuration.deadline)
            count += 1
            logger.debug("invocation done", metadata: ["count": "\(count)"])
        }
    }

    /// Fetches and answers one event.
    func runOnce(budget: Duration) throws(LambdaRuntimeError) {
        let next: HTTPClientResponse
        do {
            // No total timeout: the GET blocks until an event arrives, and the sandbox may be frozen meanwhile.
            next = try client.execute(
                HTTPClientRequest(url: base + "/invocation/next"), connectTimeout: .seconds(10), totalTimeout: nil,
                maxResponseBytes: Self.maximumEventBytes)
        } catch {
            throw LambdaRuntimeError(code: .transport, message: "cannot fetch the next invocation", underlying: error)
        }
        guard next.status == 200 else {
            throw LambdaRuntimeError(
                code: .runtimeAPIStatus, message: "GET /runtime/invocation/next answered \(next.status)")
        }
        guard let requestID = next.header("Lambda-Runtime-Aws-Request-Id"), Self.isSafePathSegment(requestID) else {
            logger.error("invocation without a usable Lambda-Runtime-Aws-Request-Id; skipped")
            return
        }
        var log = logger
        log[metadataKey: "aws_request_id"] = "\(requestID)"
        if let trace = next.header("Lambda-Runtime-Trace-Id") { setenv("_X_AMZN_TRACE_ID", trace, 1) }

        let deadline = Self.deadline(header: next.header("Lambda-Runtime-Deadline-Ms"), budget: budget)
        let response: HTTPResponse
        do throws(EnvelopeError) {
            let (request, _) = try JSONEnvelope.decode(next.body)
            response = makeResponder(log, deadline).respond(to: request)
        } catch {
            log.notice("bad Lambda event", metadata: ["error": "\(error)"])
            response = .error(error.status, error.reason)
        }
        log.info("answered", metadata: ["status": "\(response.status)"])

        let path = "/invocation/\(requestID)/response"
        do {
            let posted = try client.execute(
                HTTPClientRequest(
                    method: "POST", url: base + path, headers: [("Content-Type", "application/json")],
                    body: JSONEnvelope.encode(response)),
                connectTimeout: .seconds(10), totalTimeout: .seconds(30))
            guard (200..<300).contains(posted.status) else {
                log.error("the Runtime API refused the response", metadata: ["status": "\(posted.status)"])
                reportError(
                    path: "/invocation/\(requestID)/error", type: "Runtime.ResponseRejected",
                    message: "the Runtime API answered \(posted.status) to the response", logger: log)
                return
            }
        } catch {
            throw LambdaRuntimeError(code: .transport, message: "cannot post the response", underlying: error)
        }
    }

    /// The invocation deadline: Lambda's own (epoch milliseconds), capped by `LICENSOR_DEADLINE_MS`.
    static func deadline(header: String?, budget: Duration, now: Int64 = epochMilliseconds()) -> Deadline {
        guard let header, let epoch = Int64(header.trimmed) else { return Deadline(budget: budget) }
        let left = Duration.milliseconds(max(0, epoch - now))
        return Deadline(budget: min(left, budget))
    }

    /// The wall clock in milliseconds since 1970, the unit of `Lambda-Runtime-Deadline-Ms`.
    static func epochMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Request ids are UUIDs; anything else is refused rather than spliced into a URL.
    static func isSafePathSegment(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    true
                default: false
                }
            }
    }

    /// Posts `{"errorMessage","errorType"}` to an error endpoint; a failure to do so is only logged.
    private func reportError(path: String, type: String, message: String, logger: Logger? = nil) {
        let log = logger ?? self.logger
        let body = JSONValue.object([("errorMessage", .string(message)), ("errorType", .string(type))])
        do {
            let answer = try client.execute(
                HTTPClientRequest(
                    method: "POST", url: base + path,
                    headers: [
                        ("Content-Type", "application/vnd.aws.lambda.error+json"),
                        ("Lambda-Runtime-Function-Error-Type", "Unhandled"),
                    ],
                    body: Array(body.serialized().utf8)),
                connectTimeout: .seconds(10), totalTimeout: .seconds(30))
            if !(200..<300).contains(answer.status) {
                log.error("the Runtime API refused an error report", metadata: ["status": "\(answer.status)"])
            }
        } catch {
            log.error("cannot report an error to the Runtime API", metadata: ["error": "\(error)"])
        }
    }
}
