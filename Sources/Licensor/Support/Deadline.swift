/// The time budget of one invocation: Gumroad waits five seconds and never retries a timeout, so every slow call
/// is bounded by what is left of this budget.
package struct Deadline: Sendable {
    private let end: ContinuousClock.Instant

    /// A deadline `budget` from now.
    package init(budget: Duration) {
        end = ContinuousClock.now.advanced(by: budget)
    }

    /// A deadline at a given instant.
    package init(at instant: ContinuousClock.Instant) {
        end = instant
    }

    /// The time left, never negative.
    package var remaining: Duration {
        let left = ContinuousClock.now.duration(to: end)
        return left > .zero ? left : .zero
    }

    /// Whether the budget is spent.
    package var hasExpired: Bool { remaining == .zero }

    /// The time left in whole milliseconds, at least `minimum` so a call is never given a zero timeout that a
    /// library would read as "no timeout".
    package func remainingMilliseconds(minimum: Int = 1) -> Int {
        Self.milliseconds(remaining, minimum: minimum)
    }

    /// Which way a conversion to whole milliseconds rounds.
    package enum Rounding: Sendable {
        /// Toward zero: a timeout that must not outlast the deadline.
        case down
        /// Away from zero: a wait that must not wake before the deadline, or a timeout a library reads as none
        /// when it is zero.
        case up
    }

    /// A duration in whole milliseconds, rounded as asked and at least `minimum` (also for a negative duration);
    /// saturates at `Int.max` instead of overflowing. The one conversion every timeout here goes through.
    package static func milliseconds(_ duration: Duration, rounding: Rounding = .down, minimum: Int = 0) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return minimum }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        var partial = attoseconds / perMillisecond
        if rounding == .up, attoseconds % perMillisecond != 0 { partial += 1 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (total, overflow2) = whole.addingReportingOverflow(partial)
        guard !overflow, !overflow2 else { return Int.max }
        return max(minimum, Int(clamping: total))
    }
}
