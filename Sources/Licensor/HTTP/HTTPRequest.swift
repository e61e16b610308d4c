/// One HTTP request as it reached licensor, whatever envelope carried it.
public struct HTTPRequest: Sendable, Equatable {
    /// The method in upper case, e.g. `POST`.
    public var method: String
    /// The path without the query, e.g. `/webhooks/gumroad`.
    public var path: String
    /// The query parameters, decoded once, in order; a repeated name appears once per value.
    public var query: [(name: String, value: String)]
    /// The request headers.
    public var headers: HTTPHeaders
    /// The body bytes, already base64-decoded or de-chunked by the envelope.
    public var body: [UInt8]

    /// Creates a request.
    public init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a query parameter, or nil.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// Every value of a query parameter, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.headers == rhs.headers && lhs.body == rhs.body
            && lhs.query.elementsEqual(rhs.query) { $0.name == $1.name && $0.value == $1.value }
    }
}
