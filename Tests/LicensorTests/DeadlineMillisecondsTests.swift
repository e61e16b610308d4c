import Licensor
import Testing

/// The one Duration → milliseconds conversion behind every timeout: the rounding asked for, a floor, no overflow.
@Suite("Deadline milliseconds")
struct DeadlineMillisecondsTests {
    @Test(
        "rounding down and up, with a minimum",
        arguments: [
            (Duration.zero, Deadline.Rounding.down, 0, 0), (.zero, .up, 1, 1), (.milliseconds(-5), .up, 0, 0),
            (.milliseconds(-5), .down, 1, 1), (.microseconds(1500), .down, 0, 1), (.microseconds(1500), .up, 0, 2),
            (.nanoseconds(1), .up, 0, 1), (.nanoseconds(1), .down, 0, 0), (.seconds(2), .up, 1, 2000),
            (.seconds(Int64.max), .down, 0, Int.max),
        ] as [(Duration, Deadline.Rounding, Int, Int)])
    func conversion(duration: Duration, rounding: Deadline.Rounding, minimum: Int, expected: Int) {
        #expect(Deadline.milliseconds(duration, rounding: rounding, minimum: minimum) == expected)
    }

    @Test("what is left of a deadline is never more than its budget, and at least the minimum once spent")
    func remaining() {
        #expect(Deadline(budget: .milliseconds(300)).remainingMilliseconds() <= 300)
        #expect(Deadline(budget: .zero).remainingMilliseconds(minimum: 1) == 1)
    }
}
