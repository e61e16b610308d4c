/// Every storefront licensor takes webhooks from: `/webhooks/{source}` is answered by the entry whose `source`
/// matches. A new storefront is one folder under `Storefront/` and one line here.
package struct StorefrontRegistry: Sendable {
    /// The registered adapters.
    package let adapters: [any StorefrontAdapter]

    /// Creates a registry; sources must be unique.
    package init(_ adapters: [any StorefrontAdapter]) {
        self.adapters = adapters
    }

    /// The storefronts this build serves.
    package static let standard = StorefrontRegistry([
        GumroadAdapter(), StripeAdapter(), LemonSqueezyAdapter(), PaddleAdapter(), PolarAdapter(),
    ])

    /// The adapter for a source, e.g. `gumroad`.
    package func storefront(_ source: String) -> (any StorefrontAdapter)? {
        adapters.first { $0.source == source }
    }
}
