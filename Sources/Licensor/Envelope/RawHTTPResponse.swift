/// Writes responses as HTTP/1.1 for a process that owns the connection.
package enum RawHTTPResponse {
    /// The status line, `Content-Type` and other headers, `Content-Length`, `Connection: close`, and the body (left
    /// out for `HEAD`, which still announces the length the body would have).
    package static func encode(_ response: HTTPResponse, omitBody: Bool = false) -> [UInt8] {
        message(
            head: "HTTP/1.1 \(response.status) \(response.reasonPhrase)\r\n", response, skipping: framingHeaders,
            tail: "Connection: close\r\n", omitBody: omitBody)
    }

    /// The shape HTTP and CGI responses share: `head`, the response's headers but `skipping`, `Content-Length`,
    /// `tail`, a blank line, and the body unless omitted.
    static func message(
        head: String, _ response: HTTPResponse, skipping: Set<String>, tail: String, omitBody: Bool
    ) -> [UInt8] {
        var text = head
        for (name, value) in response.headers where !skipping.contains(name.lowercased()) {
            text += "\(name): \(sanitized(value))\r\n"
        }
        text += "Content-Length: \(response.body.count)\r\n\(tail)\r\n"
        var bytes = Array(text.utf8)
        if !omitBody { bytes += response.body }
        return bytes
    }

    /// The interim answer to `Expect: 100-continue`.
    package static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static let framingHeaders: Set<String> = ["content-length", "connection", "transfer-encoding"]

    /// A header value with CR and LF replaced, so no value can end the header block early.
    static func sanitized(_ value: String) -> String {
        String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
