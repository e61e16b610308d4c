#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Notices a device clock set back to make an expired token look valid again.
///
/// Offline expiry is only as good as the clock. The app persists `latestSeen` (one timestamp) between launches; each
/// check compares the clock with it and moves it forward. A verified token's `iat` is also proof that time has
/// reached at least that point, so the app can `observe` it.
public struct ClockGuard: Sendable, Equatable {
    /// The latest time the app has seen, to persist between launches; nil before the first check.
    public private(set) var latestSeen: Date?
    /// How far the clock may step back without complaint (time zone slips, NTP corrections), in seconds.
    public var tolerance: Double

    /// A guard that starts from the persisted `latestSeen`, allowing `tolerance` seconds of backwards drift.
    public init(latestSeen: Date?, tolerance: Double = 300) {
        self.latestSeen = latestSeen
        self.tolerance = tolerance
    }

    /// Checks `now` against the latest time seen, then records it; throws `clockSetBack` when the clock is earlier
    /// than that by more than `tolerance`, in which case nothing is recorded.
    public mutating func check(now: Date = Date()) throws(VerificationError) {
        if let latestSeen, now.timeIntervalSince1970 + tolerance < latestSeen.timeIntervalSince1970 {
            throw VerificationError(
                .clockSetBack,
                "the clock reads \(Timestamp(now).rfc3339), earlier than \(Timestamp(latestSeen).rfc3339) already seen")
        }
        observe(now)
    }

    /// Records that time has reached at least `date` (e.g. a verified token's `issued`).
    public mutating func observe(_ date: Date) {
        if let latestSeen, latestSeen >= date { return }
        latestSeen = date
    }
}
