/// Every storefront licensor takes webhooks from: `/webhooks/{source}` is answered by the entry whose `source`
/// matches. A new storefront is one folder under `Storefront/` and one line here.
public struct StorefrontRegistry: Sendable {
    /// The registered adapters.
    public let adapters: [any StorefrontAdapter]

    /// Creates a registry; sources must be unique.
    public init(_ adapters: [any StorefrontAdapter]) {
        self.adapters = adapters
    }

    /// The storefronts this build serves.
    public static let standard = StorefrontRegistry([
        GumroadAdapter()
    ])

    /// The adapter for a source, e.g. `gumroad`.
    public func storefront(_ source: String) -> (any StorefrontAdapter)? {
        adapters.first { $0.source == source }
    }
}
