/// The time budget of one invocation: Gumroad waits five seconds and never retries a timeout, so every slow call
/// is bounded by what is left of this budget.
public struct Deadline: Sendable {
    private let end: ContinuousClock.Instant

    /// A deadline `budget` from now.
    public init(budget: Duration) {
        end = ContinuousClock.now.advanced(by: budget)
    }

    /// A deadline at a given instant.
    public init(at instant: ContinuousClock.Instant) {
        end = instant
    }

    /// The time left, never negative.
    public var remaining: Duration {
        let left = ContinuousClock.now.duration(to: end)
        return left > .zero ? left : .zero
    }

    /// Whether the budget is spent.
    public var hasExpired: Bool { remaining == .zero }

    /// The time left in whole milliseconds, at least `minimum` so a call is never given a zero timeout that a
    /// library would read as "no timeout".
    public func remainingMilliseconds(minimum: Int = 1) -> Int {
        Self.milliseconds(remaining, minimum: minimum)
    }

    /// A duration in whole milliseconds, rounded down (a timeout rounded up could outlast the deadline), and at
    /// least `minimum`; saturates instead of overflowing.
    public static func milliseconds(_ duration: Duration, minimum: Int = 0) -> Int {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? minimum : Int.max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !overflow2 else { return Int.max }
        return max(minimum, Int(total))
    }
}
