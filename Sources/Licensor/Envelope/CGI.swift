/// CGI/1.1 (RFC 3875): the request in environment variables and the body on stdin; the response as CGI header lines
/// with a `Status:` field.
package enum CGIEnvelope {
    /// Whether the environment says a CGI server started this process.
    package static func isCGI(_ environment: [String: String]) -> Bool {
        environment["GATEWAY_INTERFACE"]?.uppercased().hasPrefix("CGI/") == true
    }

    /// The request without its body, and the number of body bytes to read from stdin (`CONTENT_LENGTH`).
    package static func decodeHead(
        environment env: [String: String]
    ) throws(EnvelopeError) -> (request: HTTPRequest, bodyLength: Int) {
        guard let method = env["REQUEST_METHOD"], !method.isEmpty else {
            throw EnvelopeError("CGI variable REQUEST_METHOD is missing")
        }
        guard method.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw EnvelopeError("CGI variable REQUEST_METHOD is invalid")
        }
        let pathInfo = env["PATH_INFO"] ?? ""
        let path = pathInfo.isEmpty ? "/" : pathInfo
        let query: [(name: String, value: String)]
        do {
            query = try FormDecoding.decode(Array((env["QUERY_STRING"] ?? "").utf8), plusIsSpace: true)
        } catch {
            throw EnvelopeError("query string: \(error.reason)")
        }
        var bodyLength = 0
        if let raw = env["CONTENT_LENGTH"]?.trimmed, !raw.isEmpty {
            guard raw.utf8.count <= 18, raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(raw) else {
                throw EnvelopeError("CGI variable CONTENT_LENGTH is not a number")
            }
            bodyLength = length
        } else if method.uppercased() == "POST" {
            // Without a length the body cannot be read: answering with an empty one would record a sale with no
            // fields and acknowledge it, so ask the client to retry with one.
            throw EnvelopeError(status: 411, "CGI variable CONTENT_LENGTH is missing for a POST")
        }
        guard bodyLength <= RequestLimits.maximumBody else {
            throw EnvelopeError(status: 413, "request body is larger than \(RequestLimits.maximumBody) bytes")
        }
        var fields: [(name: String, value: String)] = []
        if let type = env["CONTENT_TYPE"], !type.isEmpty { fields.append(("Content-Type", type)) }
        if bodyLength > 0 { fields.append(("Content-Length", String(bodyLength))) }
        for (name, value) in env.sorted(by: { $0.key < $1.key }) where name.hasPrefix("HTTP_") && name.count > 5 {
            fields.append((headerName(fromMetaVariable: name), value))
        }
        let request = HTTPRequest(method: method, path: path, query: query, headers: HTTPHeaders(fields))
        return (request, bodyLength)
    }

    /// `HTTP_X_FOO_BAR` → `X-Foo-Bar`.
    static func headerName(fromMetaVariable name: String) -> String {
        name.dropFirst(5).split(separator: "_", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            .joined(separator: "-")
    }

    /// The response as a CGI document response: `Status`, `Content-Type`, other headers, a blank line, the body (left
    /// out for `HEAD`, RFC 3875 §4.3.3).
    package static func encode(_ response: HTTPResponse, omitBody: Bool = false) -> [UInt8] {
        let type = response.headers["Content-Type"] ?? "application/octet-stream"
        return RawHTTPResponse.message(
            head: "Status: \(response.status) \(response.reasonPhrase)\r\n"
                + "Content-Type: \(RawHTTPResponse.sanitized(type))\r\n",
            response, skipping: RawHTTPResponse.framingHeaders.union(["content-type", "status"]), tail: "",
            omitBody: omitBody)
    }
}
