/// The products file: which tier and license duration each storefront product (and variant) grants.
///
/// Loaded once per process from `PRODUCTS_FILE` (default `config/products.yaml`):
///
/// ```yaml
/// defaults:
///   duration: 1y
/// gumroad:
///   "AbC123xyz==":
///     tier: pro
///     name: Acme Pro
///     duration: 365d
///     variants:
///       Team: team
/// ```
package struct ProductCatalog: Sendable {
    /// The largest products file accepted, 1 MiB; a real one is a few kilobytes.
    package static let maximumFileSize = 1 << 20

    /// The duration used when the file has no `defaults.duration`.
    package static let fallbackDuration = LicenseDuration.years(1)

    /// The duration of products that name none.
    package let defaultDuration: LicenseDuration

    /// Source name → product id → entry.
    let entries: [String: [String: ProductEntry]]

    /// A catalog with no products and the fallback default duration, as an empty file gives.
    package init() {
        self.init(defaultDuration: Self.fallbackDuration, entries: [:])
    }

    init(defaultDuration: LicenseDuration, entries: [String: [String: ProductEntry]]) {
        self.defaultDuration = defaultDuration
        self.entries = entries
    }

    /// The source names that have a section, sorted.
    package var sources: [String] {
        entries.keys.sorted()
    }

    /// The products of one source, sorted by product id.
    package func products(source: String) -> [ProductEntry] {
        (entries[source] ?? [:]).values.sorted { $0.productID < $1.productID }
    }

    /// The entry for a product exactly as written in the file, or nil when the product is not listed.
    package func product(source: String, productID: String) -> ProductEntry? {
        entries[source]?[productID]
    }

    /// The product with this id in the first section (sorted) that lists it, for licenses not tied to one storefront
    /// (`licensor issue`, `source` = `manual`).
    package func product(inAnySectionWithID productID: String) -> ProductEntry? {
        sources.lazy.compactMap { product(source: $0, productID: productID) }.first
    }

    /// The seats of a license's product as the file lists it now: under the license's storefront, else (a manual
    /// license) in any section; unlimited when unlisted.
    package func seats(of license: License) -> SeatPolicy {
        guard let productID = license.productID else { return SeatPolicy() }
        return (product(source: license.source, productID: productID) ?? product(inAnySectionWithID: productID))?
            .seats ?? SeatPolicy()
    }

    /// The first of a sale's ids the file lists, with what it grants; nil when it lists none of them.
    package func mapping(for sale: Sale) -> (productID: String, mapping: ProductMapping)? {
        for key in sale.mappingKeys {
            if let mapping = mapping(source: sale.source, productID: key, variantOptions: sale.variants.map(\.option)) {
                return (key, mapping)
            }
        }
        return nil
    }

    /// What a sale of this product grants, or nil when the product is not listed.
    ///
    /// `variantOptions` are the sale's chosen variant options (Gumroad's `variants[Category]` values) in the order
    /// the caller prefers; the first one listed under the product's `variants` overrides the tier. Options match
    /// exactly, case included. The duration is the product's own, else ``defaultDuration``.
    package func mapping(source: String, productID: String, variantOptions: [String] = []) -> ProductMapping? {
        guard let entry = product(source: source, productID: productID) else {
            return nil
        }
        var tier = entry.tier
        var matchedOption: String?
        for option in variantOptions {
            if let variantTier = entry.variants[option] {
                tier = variantTier
                matchedOption = option
                break
            }
        }
        return ProductMapping(
            tier: tier,
            name: entry.name,
            duration: entry.duration ?? defaultDuration,
            variantOption: matchedOption
        )
    }
}

/// One product as written in the products file.
package struct ProductEntry: Sendable, Hashable {
    /// The section it is listed under, such as `gumroad`.
    package let source: String
    /// The storefront's product id (always a string, even when it looks like a number).
    package let productID: String
    /// The tier a sale grants unless a variant overrides it.
    package let tier: String
    /// The display name for the email; nil means "use the storefront's product name".
    package let name: String?
    /// The product's own duration; nil means the catalog's default.
    package let duration: LicenseDuration?
    /// Variant option name → tier.
    package let variants: [String: String]
    /// Seats (`activations`) and how often they may change hands (`deactivations`); unlimited when absent.
    package let seats: SeatPolicy

    /// Creates an entry.
    package init(
        source: String,
        productID: String,
        tier: String,
        name: String? = nil,
        duration: LicenseDuration? = nil,
        variants: [String: String] = [:],
        seats: SeatPolicy = SeatPolicy()
    ) {
        self.seats = seats
        self.source = source
        self.productID = productID
        self.tier = tier
        self.name = name
        self.duration = duration
        self.variants = variants
    }
}

/// What a sale grants once the products file has been applied.
package struct ProductMapping: Sendable, Hashable {
    /// The tier, after any variant override.
    package let tier: String
    /// The display name from the file, if any.
    package let name: String?
    /// The duration, after falling back to the default.
    package let duration: LicenseDuration
    /// The variant option that overrode the tier, if one did.
    package let variantOption: String?

    /// Creates a mapping.
    package init(tier: String, name: String?, duration: LicenseDuration, variantOption: String? = nil) {
        self.tier = tier
        self.name = name
        self.duration = duration
        self.variantOption = variantOption
    }
}
