import Glibc
import Logging

/// One invocation of the handler: read one request from stdin, answer it, write one response to stdout.
public enum Invocation {
    /// Reads the request from `input`, answers it with `application` and writes the response to `output` in the
    /// envelope's shape. Returns false only when no response could be written.
    public static func run(
        input: Int32, output: Int32, environment: [String: String], format forced: EnvelopeFormat?,
        application: Application, logger: Logger
    ) -> Bool {
        let isCGI = forced == .cgi || (forced == nil && environment["GATEWAY_INTERFACE"]?.hasPrefix("CGI/") == true)
        if isCGI {
            logger.error("CGI is not supported by this build")
            return write(output, encode(.error(501, "CGI is not supported yet"), as: .json))
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(fd: input, path: "stdin", limit: RequestLimits.maximumEnvelope)
        } catch {
            let tooLarge = error.reason.hasPrefix("larger")
            logger.notice("cannot read the request", metadata: ["error": "\(error)"])
            let response = HTTPResponse.error(tooLarge ? 413 : 400, tooLarge ? "request too large" : "\(error)")
            return write(output, encode(response, as: forced ?? .json))
        }
        let format = forced ?? detect(bytes)
        let response: HTTPResponse
        do throws(EnvelopeError) {
            switch format {
            case .json, .apigw1, .apigw2:
                let (request, _) = try JSONEnvelope.decode(bytes, format: forced)
                response = application.handle(request)
            case .http, .cgi:
                throw EnvelopeError(status: 501, "raw HTTP is not supported by this build")
            }
        } catch {
            logger.notice("bad request envelope", metadata: ["error": "\(error)"])
            response = .error(error.status, error.reason)
        }
        logger.info("answered", metadata: ["status": "\(response.status)"])
        return write(output, encode(response, as: format))
    }

    /// Guesses the envelope from the first bytes: a JSON object, else a raw HTTP request line.
    static func detect(_ bytes: [UInt8]) -> EnvelopeFormat {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if let first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) { return .http }
        return .json
    }

    /// The response bytes in the envelope's shape.
    public static func encode(_ response: HTTPResponse, as format: EnvelopeFormat) -> [UInt8] {
        switch format {
        case .json, .apigw1, .apigw2, .http, .cgi: JSONEnvelope.encode(response)
        }
    }

    /// Writes all bytes, retrying short writes.
    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
