/// How long a license stays valid after it is issued, as written in the products file (`365d`, `1y`, `lifetime`).
package enum LicenseDuration: Sendable, Hashable, CustomStringConvertible {
    /// A number of calendar days.
    case days(Int)
    /// A number of calendar months.
    case months(Int)
    /// A number of calendar years.
    case years(Int)
    /// Never expires; stored as ``LicenseDuration/lifetimeExpiry``.
    case lifetime

    /// The largest count accepted for `Nd`, `Nm` and `Ny`.
    package static let maximumCount = 100_000

    /// The expiry stored for a lifetime license, 9999-12-31T23:59:59Z, because `expires_at` is never null.
    package static let lifetimeExpiry = Timestamp.lifetime

    /// Parses `Nd`, `Nm`, `Ny` (N from 1 to ``maximumCount``) or `lifetime`.
    package init(parsing text: String) throws(LicenseDurationError) {
        if text == "lifetime" {
            self = .lifetime
            return
        }
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, let unit = utf8.last else {
            throw LicenseDurationError(code: .malformed, text: text)
        }
        let digits = utf8.dropLast()
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw LicenseDurationError(code: .malformed, text: text)
        }
        // Accumulate with a cap instead of Int(_:) so that a huge digit string reports "out of range", not a trap.
        var count = 0
        for digit in digits {
            count = count * 10 + Int(digit - UInt8(ascii: "0"))
            if count > Self.maximumCount {
                break
            }
        }
        let make: (Int) -> LicenseDuration
        switch unit {
        case UInt8(ascii: "d"): make = LicenseDuration.days
        case UInt8(ascii: "m"): make = LicenseDuration.months
        case UInt8(ascii: "y"): make = LicenseDuration.years
        default: throw LicenseDurationError(code: .malformed, text: text)
        }
        guard count >= 1, count <= Self.maximumCount else {
            throw LicenseDurationError(code: .outOfRange, text: text)
        }
        self = make(count)
    }

    /// The canonical spelling, which ``init(parsing:)`` reads back: `365d`, `1m`, `2y` or `lifetime`.
    package var description: String {
        switch self {
        case .days(let count): "\(count)d"
        case .months(let count): "\(count)m"
        case .years(let count): "\(count)y"
        case .lifetime: "lifetime"
        }
    }

    /// The moment a license issued (or renewed) at `issued` expires, counted in calendar units in UTC.
    ///
    /// A month or year that lands on a missing day is clamped to the end of that month (Jan 31 + 1m is the last day
    /// of February). Results past ``lifetimeExpiry`` are clamped to it, so the stored value always fits the schema.
    package func expiry(from issued: Timestamp) -> Timestamp {
        let date: Timestamp
        switch self {
        case .days(let count): date = issued.adding(days: count)
        case .months(let count): date = issued.adding(months: count)
        case .years(let count): date = issued.adding(years: count)
        case .lifetime: return Self.lifetimeExpiry
        }
        return min(date, Self.lifetimeExpiry)
    }
}

/// Why a duration string is not `Nd`, `Nm`, `Ny` or `lifetime`.
package struct LicenseDurationError: Error, Sendable, CustomStringConvertible {
    /// The kind of mistake.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The text has the wrong shape (`1w`, `1.5y`, `-1d`, empty).
        package static let malformed = Code(rawValue: "malformed")
        /// The shape is right but N is 0 or larger than ``LicenseDuration/maximumCount``.
        package static let outOfRange = Code(rawValue: "outOfRange")

        /// A stable name for logs and tests.
        package let rawValue: String

        /// The raw value.
        package var description: String { rawValue }
    }

    /// The kind of mistake.
    package let code: Code
    /// The text that was rejected.
    package let text: String

    /// Creates an error for `text`.
    package init(code: Code, text: String) {
        self.code = code
        self.text = text
    }

    /// What is wrong, phrased to follow the field name: `"1w" is not Nd, Nm, Ny or lifetime`.
    package var problem: String {
        switch code {
        case .outOfRange:
            "\(productsFileQuoted(text)) is out of range: N must be 1 to \(LicenseDuration.maximumCount)"
        default:
            "\(productsFileQuoted(text)) is not Nd, Nm, Ny or lifetime"
        }
    }

    /// One line: `duration "1w" is not Nd, Nm, Ny or lifetime`.
    package var description: String { "duration \(problem)" }
}

/// Quotes a value taken from a file for an error message, keeping the message on one line and short.
func productsFileQuoted(_ value: String, limit: Int = 60) -> String {
    // Every product's label is quoted while the file is read, error or not: keep the usual id cheap.
    if value.utf8.count <= limit,
        value.utf8.allSatisfy({ (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
    {
        return "\"" + value + "\""
    }
    let scalars = value.unicodeScalars
    var shown = String(String.UnicodeScalarView(scalars.prefix(limit)))
    if scalars.count > limit { shown += "…" }
    return "\"" + shown.escapingControlCharacters.replacing("\"", with: "\\\"") + "\""
}
