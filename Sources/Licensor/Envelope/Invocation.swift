import Glibc
import Logging

/// One invocation of the handler: read one request from stdin, answer it, write one response to stdout.
package enum Invocation {
    /// Reads the request from `input`, answers it with `responder` and writes the response to `output` in the
    /// envelope's shape. Returns false only when no response could be written.
    ///
    /// Every read is bounded by `deadline` (by default `LICENSOR_DEADLINE_MS` from now): a socket client that never
    /// finishes must not hold the process.
    package static func run(
        input: Int32, output: Int32, environment: [String: String], format forced: EnvelopeFormat?,
        responder application: any HTTPResponder, logger: Logger, deadline: Deadline? = nil
    ) -> Bool {
        let deadline = deadline ?? Deadline(budget: Configuration.deadlineBudget(environment: environment))
        if forced == .cgi || (forced == nil && CGIEnvelope.isCGI(environment)) {
            return runCGI(input: input, output: output, environment: environment, application, logger, deadline)
        }
        var initial: [UInt8] = []
        var format = forced
        let socket = isSocket(input)
        // A client that hangs up must end in a failed write, not in death by SIGPIPE.
        if socket { signal(SIGPIPE, SIG_IGN) }
        var unrecognised = false
        if format == nil {
            // Peek at the first bytes without waiting for EOF: a raw HTTP client keeps its connection open.
            detection: while true {
                switch DescriptorReader.read(input, limit: 64 << 10, deadline: deadline) {
                case .bytes(let bytes):
                    initial += bytes
                    guard initial.contains(where: { !isSpace($0) }) else { continue }
                    format = detect(initial, onSocket: socket)
                    unrecognised = format == nil
                    break detection
                case .timedOut, .endOfFile, .failed:
                    // Nothing usable arrived: on a socket that is an HTTP client, anywhere else a JSON pipe.
                    format = socket ? .http : .json
                    break detection
                }
            }
        }
        if unrecognised {
            // A socket client that speaks neither JSON nor HTTP: waiting for more of it cannot help.
            logger.notice("unrecognised request on a socket", metadata: ["status": "400"])
            let written = write(output, RawHTTPResponse.encode(.error(400, "not an HTTP request nor a JSON envelope")))
            if written { DescriptorReader.lingeringClose(input: input, output: output) }
            return written
        }
        if format == .http {
            return runHTTP(input: input, output: output, initial: initial, application, logger, deadline)
        }
        return runJSON(
            input: input, output: output, initial: initial, forced: forced, application, logger, deadline,
            isSocket: socket)
    }

    private static func runJSON(
        input: Int32, output: Int32, initial: [UInt8], forced: EnvelopeFormat?, _ application: any HTTPResponder,
        _ logger: Logger, _ deadline: Deadline, isSocket: Bool
    ) -> Bool {
        let bytes: [UInt8]
        switch DescriptorReader.readEnvelope(
            input, initial: initial, limit: RequestLimits.maximumEnvelope, deadline: deadline, isSocket: isSocket)
        {
        case .success(let read): bytes = read
        case .failure(let error):
            logger.notice("cannot read the request", metadata: ["error": "\(error)", "status": "\(error.status)"])
            return write(output, JSONEnvelope.encode(.error(error.status, error.reason)))
        }
        let response: HTTPResponse
        do throws(EnvelopeError) {
            let (request, _) = try JSONEnvelope.decode(bytes, format: forced)
            response = application.respond(to: request)
        } catch {
            logger.notice("bad request envelope", metadata: ["error": "\(error)"])
            response = .error(error.status, error.reason)
        }
        logger.info("answered", metadata: ["status": "\(response.status)"])
        return write(output, JSONEnvelope.encode(response))
    }

    private static func runHTTP(
        input: Int32, output: Int32, initial: [UInt8], _ application: any HTTPResponder, _ logger: Logger,
        _ deadline: Deadline
    ) -> Bool {
        // A client that hangs up must end in a failed write, not in death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        switch DescriptorReader.readHTTPRequest(input: input, output: output, initial: initial, deadline: deadline) {
        case .success(let request):
            let response = application.respond(to: request)
            logger.info("answered", metadata: ["status": "\(response.status)"])
            return write(output, RawHTTPResponse.encode(response, omitBody: request.method == "HEAD"))
        case .failure(let error):
            logger.notice("bad raw HTTP request", metadata: ["error": "\(error)", "status": "\(error.status)"])
            let written = write(output, RawHTTPResponse.encode(.error(error.status, error.reason)))
            // After a 408 the client has stopped sending; otherwise it may still be sending what we refused.
            if written && error.status != 408 { DescriptorReader.lingeringClose(input: input, output: output) }
            return written
        }
    }

    private static func runCGI(
        input: Int32, output: Int32, environment: [String: String], _ application: any HTTPResponder, _ logger: Logger,
        _ deadline: Deadline
    ) -> Bool {
        let response: HTTPResponse
        var method = environment["REQUEST_METHOD"] ?? ""
        do throws(EnvelopeError) {
            var (request, length) = try CGIEnvelope.decodeHead(environment: environment)
            method = request.method
            request.body = try DescriptorReader.readExactly(length, from: input, deadline: deadline).get()
            response = application.respond(to: request)
        } catch {
            logger.notice("bad CGI request", metadata: ["error": "\(error)", "status": "\(error.status)"])
            response = .error(error.status, error.reason)
        }
        logger.info("answered", metadata: ["status": "\(response.status)"])
        return write(output, CGIEnvelope.encode(response, omitBody: method.uppercased() == "HEAD"))
    }

    /// Guesses the envelope from the first bytes: a JSON object, else a raw HTTP request line. On a socket any
    /// letter starts a request line (a method in lower case is still a token that the parser answers), and a byte
    /// that is neither yields nil.
    static func detect(_ bytes: [UInt8], onSocket: Bool = false) -> EnvelopeFormat? {
        let first = bytes.first { !isSpace($0) }
        if let first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) { return .http }
        guard onSocket, let first else { return .json }
        if first == UInt8(ascii: "{") { return .json }
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) { return .http }
        return nil
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func isSocket(_ fd: Int32) -> Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// The response bytes in the envelope's shape.
    package static func encode(_ response: HTTPResponse, as format: EnvelopeFormat, omitBody: Bool = false) -> [UInt8] {
        switch format {
        case .json, .apigw1, .apigw2: JSONEnvelope.encode(response)
        case .http: RawHTTPResponse.encode(response, omitBody: omitBody)
        case .cgi: CGIEnvelope.encode(response, omitBody: omitBody)
        }
    }

    /// Writes all bytes, retrying short writes.
    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        FileIO.writeAll(fd, bytes)
    }
}
