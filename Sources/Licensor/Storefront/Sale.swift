/// A sale as every storefront adapter reports it.
package struct Sale: Sendable, Equatable {
    /// One chosen variant, e.g. category `Tier`, option `Team`.
    package struct Variant: Sendable, Equatable {
        package var category: String
        package var option: String

        /// Creates a variant.
        package init(category: String, option: String) {
            self.category = category
            self.option = option
        }
    }

    /// The storefront, e.g. `gumroad`; stored as `licenses.source`.
    package var source: String
    /// The storefront's order id (Gumroad `sale_id`); stored as `source_order_id`.
    package var orderID: String
    package var productID: String
    package var productName: String?
    /// The buyer's (for a gift, the recipient's) email.
    package var email: String
    /// The buyer's name, or one derived from the email when the storefront sent none.
    package var name: String
    /// The amount paid in minor units of `currency` (cents for USD, yen for JPY, fils for KWD).
    package var amountMinorUnits: Int?
    /// The ISO 4217 code of the amount, stored as `licenses.currency` (Gumroad: always `USD`).
    package var currency: String
    /// The product's own currency as the storefront sent it, when it differs from the amount's (Gumroad).
    package var productCurrency: String?
    package var isTest: Bool
    package var offerCode: String?
    /// Chosen variants, in the order sent.
    package var variants: [Variant]
    package var quantity: Int
    package var isGift: Bool
    package var gifterEmail: String?
    package var isRecurringCharge: Bool
    package var subscriptionID: String?
    /// Which redelivery this is (Gumroad `retry_count`), 0 for the first.
    package var retryCount: Int
    /// When the storefront recorded the sale.
    package var saleTimestamp: Timestamp?
    /// Other ids the products file may list the sale under, most specific first (Stripe price, product, payment
    /// link; Paddle price; Lemon Squeezy variant); the first one listed wins and becomes `productID`.
    package var alternativeProductIDs: [String] = []

    /// The storefront object that holds what the payload lacks (a Stripe Checkout Session, a Paddle customer).
    package var lookupID: String?

    /// `productID` and the alternatives, in the order the products file is searched.
    package var mappingKeys: [String] {
        var keys: [String] = []
        for key in alternativeProductIDs + [productID] where !key.isEmpty && !keys.contains(key) { keys.append(key) }
        return keys
    }

    /// `amount_paid` as stored: the amount in major units with the currency's decimals, e.g. `49.00`, `4900`.
    package var amountPaid: String? {
        amountMinorUnits.map { Currency.majorUnitsText(minorUnits: $0, currency: currency) }
    }

    /// The human notes kept on the license: test purchase, gift, variants, quantity.
    package var notes: String? {
        var parts: [String] = []
        if isTest { parts.append("test purchase") }
        if isGift { parts.append("gift" + (gifterEmail.map { " from \($0)" } ?? "")) }
        for variant in variants { parts.append("variant \(variant.category): \(variant.option)") }
        if quantity != 1 { parts.append("quantity \(quantity)") }
        if let product = productCurrency, product.uppercased() != currency.uppercased() {
            parts.append("product priced in \(product.uppercased())")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// ISO 4217 minor-unit rules, for turning a storefront's integer amount into the stored decimal text.
package enum Currency {
    /// Digits after the decimal point; 2 unless ISO 4217 says otherwise.
    package static func exponent(of code: String) -> Int {
        switch code.uppercased() {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
            "XAF", "XOF", "XPF":
            0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND": 3
        case "CLF", "UYW": 4
        default: 2
        }
    }

    /// Minor units per major unit: 100 for USD, 1 for JPY, 1000 for KWD.
    package static func minorUnitsPerMajor(of code: String) -> Int {
        var scale = 1
        for _ in 0..<exponent(of: code) { scale *= 10 }
        return scale
    }

    /// Whether an amount in minor units fits the seed's `amount_paid` column.
    package static func fitsStoredAmount(minorUnits: Int, currency: String) -> Bool {
        minorUnits / minorUnitsPerMajor(of: currency) <= largestStoredMajorUnits
    }

    /// `4900` USD → `49.00`, `4900` JPY → `4900`, `1234` KWD → `1.234`.
    package static func majorUnitsText(minorUnits: Int, currency: String) -> String {
        let digits = exponent(of: currency)
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { return sign + String(magnitude) }
        let scale = UInt(minorUnitsPerMajor(of: currency))
        let fraction = String(magnitude % scale)
        return sign + "\(magnitude / scale)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// The largest amount, in major units, that the seed's `amount_paid NUMERIC(10, 2)` column holds.
    package static let largestStoredMajorUnits = 99_999_999
}
