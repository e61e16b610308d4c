#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Timestamp {
    /// The same instant as a `Date`, the type an app's own code speaks.
    package var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(microseconds - seconds * 1_000_000) / 1_000_000)
    }

    /// The instant of `date`, to the microsecond.
    package init(_ date: Date) {
        // Clamped, so a nonsense date from an app's clock cannot trap the conversion.
        let micro = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        self.init(microseconds: Int64(min(max(micro, -9.2e18), 9.2e18)))
    }
}
