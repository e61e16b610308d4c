/// The one response licensor writes for a request.
package struct HTTPResponse: Sendable, Equatable {
    /// The status code, e.g. 200.
    package var status: Int
    /// Response headers; `Content-Type` is always set.
    package var headers: HTTPHeaders
    /// The body bytes.
    package var body: [UInt8]

    /// Creates a response.
    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is a JSON document.
    package static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: Array(value.serialized().utf8)
        )
    }

    /// A JSON error body `{"error": message}` with the given status.
    package static func error(_ status: Int, _ message: String) -> HTTPResponse {
        .json(status, .object([("error", .string(message))]))
    }

    /// The reason phrase for the status line of raw HTTP and CGI responses.
    package var reasonPhrase: String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
