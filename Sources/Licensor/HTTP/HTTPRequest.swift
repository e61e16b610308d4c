/// One HTTP request as it reached licensor, whatever envelope carried it.
package struct HTTPRequest: Sendable, Equatable {
    /// The method in upper case, e.g. `POST`.
    package var method: String
    /// The path without the query, e.g. `/webhooks/gumroad`.
    package var path: String
    /// The query parameters, decoded once, in order; a repeated name appears once per value.
    package var query: [(name: String, value: String)] {
        get { queryFields.map { ($0.name, $0.value) } }
        set { queryFields = newValue.map { HTTPField(name: $0.name, value: $0.value) } }
    }
    /// The same parameters as stored.
    package private(set) var queryFields: [HTTPField]
    /// The request headers.
    package var headers: HTTPHeaders
    /// The body bytes, already base64-decoded or de-chunked by the envelope.
    package var body: [UInt8]

    /// Creates a request.
    package init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.queryFields = query.map { HTTPField(name: $0.name, value: $0.value) }
        self.headers = headers
        self.body = body
    }

    /// The first value of a query parameter, or nil.
    package func queryValue(_ name: String) -> String? {
        queryFields.first { $0.name == name }?.value
    }

    /// Every value of a query parameter, in order.
    package func queryValues(_ name: String) -> [String] {
        queryFields.filter { $0.name == name }.map(\.value)
    }
}
