import Logging

/// One row of the route table: which methods and path it serves, how a caller proves who it is, and the handler.
package struct Route: Sendable {
    /// A path pattern: segments that are literal or one `{name}` parameter, e.g. `/webhooks/{source}`.
    package struct Pattern: Sendable, Equatable, CustomStringConvertible {
        /// The pattern as written.
        package let description: String
        private let segments: [Substring]

        /// Creates a pattern from its text.
        package init(_ text: String) {
            description = text
            segments = Self.segments(of: text)
        }

        /// The non-empty segments between slashes, split on the byte: the table is built and matched on every
        /// request, and Character-wise splitting was most of its cost.
        private static func segments(of path: String) -> [Substring] {
            path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map { Substring($0) }
        }

        /// The parameters when `path` matches, else nil.
        func match(_ path: String) -> [String: String]? {
            let parts = Self.segments(of: path)
            guard parts.count == segments.count else { return nil }
            var parameters: [String: String] = [:]
            for (segment, part) in zip(segments, parts) {
                if segment.hasPrefix("{"), segment.hasSuffix("}") {
                    parameters[String(segment.dropFirst().dropLast())] = String(part)
                } else if !segment.utf8.elementsEqual(part.utf8) {  // bytes, as a server compares paths
                    return nil
                }
            }
            return parameters
        }
    }

    /// How a route authenticates its caller, checked before the method so a prober learns nothing.
    package enum Authentication: Sendable {
        /// Anyone may call it (`/healthz`).
        case none
        /// A storefront webhook: the `{source}` parameter names a registered storefront, which checks its own
        /// secret or signature.
        case storefrontWebhook
    }

    /// What a handler receives besides the request.
    package struct Context {
        /// The path parameters, e.g. `source`.
        package var parameters: [String: String]
        /// The storefront that authenticated the request, for `.storefrontWebhook` routes.
        package var storefront: (any StorefrontAdapter)?
        /// The request's logger, with its method and path (query redacted).
        package var logger: Logger
    }

    /// The methods served; the first is named in `Allow` of a 405.
    package var methods: [String]
    /// The path pattern.
    package var pattern: Pattern
    /// How the caller is authenticated.
    package var authentication: Authentication
    /// Answers an authenticated request with an allowed method.
    package var handler: @Sendable (HTTPRequest, Context) -> HTTPResponse

    /// Creates a route.
    package init(
        _ methods: [String], _ pattern: String, authentication: Authentication = .none,
        handler: @escaping @Sendable (HTTPRequest, Context) -> HTTPResponse
    ) {
        self.methods = methods
        self.pattern = Pattern(pattern)
        self.authentication = authentication
        self.handler = handler
    }
}
