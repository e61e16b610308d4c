import FoundationEssentials

/// The shapes in which a request can reach licensor on stdin, and in which its response goes back.
package enum EnvelopeFormat: String, Sendable, CaseIterable {
    /// `{"method","path","query","headers","body","isBase64Encoded"}`.
    case json
    /// API Gateway REST API / HTTP API payload format 1.0.
    case apigw1
    /// HTTP API payload format 2.0 and Lambda Function URLs.
    case apigw2
    /// A raw HTTP/1.1 request, as inetd or systemd `Accept=yes` hand over a connection.
    case http
    /// CGI/1.1: the request in environment variables, the body on stdin.
    case cgi

    /// Whether the response is written as a JSON object.
    package var isJSON: Bool { self == .json || self == .apigw1 || self == .apigw2 }
}

/// A request that could not be decoded; carries the status to answer with (400 or 413).
package struct EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 for malformed input, 413 for too large, 408 for a client that stopped sending.
    package var status: Int
    /// What was wrong, for the client and the log.
    package var reason: String

    /// Creates an error.
    package init(status: Int = 400, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    package var description: String { reason }
}

/// Limits on what a request may carry.
package enum RequestLimits {
    /// The largest request body accepted in every envelope: 1 MiB (413 beyond it).
    package static let maximumBody = 1 << 20
    /// The largest JSON envelope read from stdin: a 1 MiB body base64-encoded plus headers fits well inside.
    package static let maximumEnvelope = 3 << 20
    /// The largest raw HTTP header block.
    package static let maximumHeaderBytes = 16 << 10
}

/// Detects and decodes the JSON envelopes, and encodes responses in the matching shape.
package enum JSONEnvelope {
    /// Decodes a JSON envelope, detecting its kind unless `format` forces one.
    package static func decode(
        _ bytes: [UInt8], format forced: EnvelopeFormat? = nil
    ) throws(EnvelopeError) -> (HTTPRequest, EnvelopeFormat) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw EnvelopeError("envelope is not valid JSON: \(error)")
        }
        guard case .object = document else {
            throw EnvelopeError("envelope must be a JSON object, not \(document.typeName)")
        }
        let format = forced ?? detect(document)
        let request: HTTPRequest
        switch format {
        case .apigw1: request = try decodeAPIGatewayV1(document)
        case .apigw2: request = try decodeAPIGatewayV2(document)
        default: request = try decodeCanonical(document)
        }
        return (request, format)
    }

    /// Tells the JSON envelopes apart by their distinguishing keys.
    static func detect(_ document: JSONValue) -> EnvelopeFormat {
        if document["version"]?.stringValue == "2.0", document["requestContext"]?["http"] != nil { return .apigw2 }
        if document["httpMethod"] != nil { return .apigw1 }
        return .json
    }

    /// Encodes a response as `{"statusCode","headers","body","isBase64Encoded"}`, valid for every JSON envelope.
    package static func encode(_ response: HTTPResponse) -> [UInt8] {
        var headers: [(String, JSONValue)] = []
        for (name, value) in response.headers {
            if let i = headers.firstIndex(where: { $0.0.equalsIgnoringASCIICase(name) }) {
                headers[i].1 = .string((headers[i].1.stringValue ?? "") + "," + value)
            } else {
                headers.append((name, .string(value)))
            }
        }
        let text = String(validating: response.body, as: UTF8.self)
        let body = text ?? Data(response.body).base64EncodedString()
        let document = JSONValue.object([
            ("statusCode", .integer(response.status)), ("headers", .object(headers)), ("body", .string(body)),
            ("isBase64Encoded", .bool(text == nil)),
        ])
        return Array((document.serialized() + "\n").utf8)
    }

    // MARK: Envelope kinds

    private static func decodeCanonical(_ doc: JSONValue) throws(EnvelopeError) -> HTTPRequest {
        let method = try requiredString(doc, "method")
        var (path, query) = try splitTarget(try requiredString(doc, "path"))
        switch doc["query"] {
        case nil, .null?: break
        case .string(let raw)?: query += try decodeQueryString(raw)
        case .object(let members)?: query += try stringPairs(members, field: "query")
        case let other?: throw wrongType("query", "a string or an object", other)
        }
        let headers = try decodeHeaders(doc["headers"], field: "headers")
        let body = try decodeBody(doc)
        return HTTPRequest(method: method, path: path, query: query, headers: headers, body: body)
    }

    private static func decodeAPIGatewayV1(_ doc: JSONValue) throws(EnvelopeError) -> HTTPRequest {
        let method = try requiredString(doc, "httpMethod")
        var (path, query) = try splitTarget(try requiredString(doc, "path"))
        // The multi-value maps hold every value; the single-value maps only the last one.
        var headers = try decodeHeaders(doc["multiValueHeaders"], field: "multiValueHeaders")
        if headers.fields.isEmpty { headers = try decodeHeaders(doc["headers"], field: "headers") }
        var parameters: [(name: String, value: String)] = []
        switch doc["multiValueQueryStringParameters"] {
        case nil, .null?: break
        case .object(let members)?: parameters = try stringPairs(members, field: "multiValueQueryStringParameters")
        case let other?: throw wrongType("multiValueQueryStringParameters", "an object", other)
        }
        if parameters.isEmpty {
            switch doc["queryStringParameters"] {
            case nil, .null?: break
            case .object(let members)?: parameters = try stringPairs(members, field: "queryStringParameters")
            case let other?: throw wrongType("queryStringParameters", "an object", other)
            }
        }
        query += parameters
        return HTTPRequest(method: method, path: path, query: query, headers: headers, body: try decodeBody(doc))
    }

    private static func decodeAPIGatewayV2(_ doc: JSONValue) throws(EnvelopeError) -> HTTPRequest {
        guard let http = doc["requestContext"]?["http"], case .object = http else {
            throw EnvelopeError("envelope field \"requestContext.http\" must be an object")
        }
        let method = try requiredString(http, "method", prefix: "requestContext.http.")
        let target: String
        switch doc["rawPath"] {
        case .string(let p)?: target = p
        case nil, .null?: target = try requiredString(http, "path", prefix: "requestContext.http.")
        case let other?: throw wrongType("rawPath", "a string", other)
        }
        var (path, query) = try splitTarget(target)
        switch doc["rawQueryString"] {
        case nil, .null?: break
        case .string(let raw)?: query += try decodeQueryString(raw.hasPrefix("?") ? String(raw.dropFirst()) : raw)
        case let other?: throw wrongType("rawQueryString", "a string", other)
        }
        var headers = try decodeHeaders(doc["headers"], field: "headers")
        if case .array(let cookies)? = doc["cookies"] {
            let values = cookies.compactMap(\.stringValue)
            if !values.isEmpty { headers.add(name: "Cookie", value: values.joined(separator: "; ")) }
        }
        return HTTPRequest(method: method, path: path, query: query, headers: headers, body: try decodeBody(doc))
    }

    // MARK: Fields

    /// A path that carries a query (`/x?secret=…`) split into the two, so the query is decoded like any other and the
    /// path logged without it.
    private static func splitTarget(
        _ target: String
    ) throws(EnvelopeError) -> (path: String, query: [(name: String, value: String)]) {
        guard let q = target.firstIndex(of: "?") else { return (target, []) }
        return (String(target[..<q]), try decodeQueryString(String(target[target.index(after: q)...])))
    }

    private static func wrongType(_ field: String, _ expected: String, _ value: JSONValue) -> EnvelopeError {
        EnvelopeError("envelope field \"\(field)\" must be \(expected), not \(value.typeName)")
    }

    private static func requiredString(
        _ doc: JSONValue, _ field: String, prefix: String = ""
    ) throws(EnvelopeError) -> String {
        switch doc[field] {
        case .string(let s)? where !s.isEmpty: return s
        case .string?: throw EnvelopeError("envelope field \"\(prefix)\(field)\" is empty")
        case nil, .null?: throw EnvelopeError("envelope field \"\(prefix)\(field)\" is missing")
        case let other?: throw wrongType(prefix + field, "a string", other)
        }
    }

    private static func decodeQueryString(_ raw: String) throws(EnvelopeError) -> [(name: String, value: String)] {
        do {
            return try FormDecoding.decode(Array(raw.utf8), plusIsSpace: true)
        } catch {
            throw EnvelopeError("query string: \(error.reason)")
        }
    }

    /// A map of name → string or name → [string] (multi-value) as ordered pairs.
    private static func stringPairs(
        _ members: [(String, JSONValue)], field: String
    ) throws(EnvelopeError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for (name, value) in members {
            switch value {
            case .string(let s): pairs.append((name, s))
            case .null: continue
            case .array(let elements):
                for element in elements {
                    guard let s = element.stringValue else {
                        throw wrongType("\(field).\(name)[]", "a string", element)
                    }
                    pairs.append((name, s))
                }
            default: throw wrongType("\(field).\(name)", "a string", value)
            }
        }
        return pairs
    }

    private static func decodeHeaders(_ value: JSONValue?, field: String) throws(EnvelopeError) -> HTTPHeaders {
        switch value {
        case nil, .null?: return HTTPHeaders()
        case .object(let members)?: return HTTPHeaders(try stringPairs(members, field: field))
        case let other?: throw wrongType(field, "an object", other)
        }
    }

    private static func decodeBody(_ doc: JSONValue) throws(EnvelopeError) -> [UInt8] {
        let encoded: Bool
        switch doc["isBase64Encoded"] {
        case nil, .null?: encoded = false
        case .bool(let b)?: encoded = b
        case let other?: throw wrongType("isBase64Encoded", "a boolean", other)
        }
        let body: [UInt8]
        switch doc["body"] {
        case nil, .null?: return []
        case .string(let s)?:
            if encoded {
                guard let data = Data(base64Encoded: s) else {
                    throw EnvelopeError("envelope field \"body\" is not valid base64")
                }
                body = Array(data)
            } else {
                body = Array(s.utf8)
            }
        case let other?: throw wrongType("body", "a string", other)
        }
        guard body.count <= RequestLimits.maximumBody else {
            throw EnvelopeError(status: 413, "request body is larger than \(RequestLimits.maximumBody) bytes")
        }
        return body
    }
}
