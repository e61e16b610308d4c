import Glibc

/// A point in time after which a connection attempt or a statement gives up.
struct PostgresDeadline {
    let instant: ContinuousClock.Instant

    init(after duration: Duration) {
        instant = ContinuousClock.now.advanced(by: max(duration, .zero))
    }

    /// Milliseconds left, rounded up so that `poll(2)` never wakes before the deadline.
    var remainingMilliseconds: Int32 {
        let left = ContinuousClock.now.duration(to: instant)
        return left <= .zero ? 0 : PostgresDeadline.milliseconds(left)
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: Deadline.milliseconds(duration, rounding: .up))
    }
}

/// How a wait on a libpq socket ended.
enum PostgresWaitOutcome: Equatable {
    case ready
    case timedOut
    case failed(Int32)
}

/// Waits with `poll(2)` until `socket` is ready for `events` or `deadline` passes.
///
/// Error and hang-up conditions count as ready: libpq then reads the socket and reports the
/// failure in its own words.
func postgresWait(socket: Int32, for events: Int32, until deadline: PostgresDeadline) -> PostgresWaitOutcome {
    guard socket >= 0 else {
        return .failed(EBADF)
    }
    while true {
        let milliseconds = deadline.remainingMilliseconds
        var descriptor = pollfd(fd: socket, events: Int16(truncatingIfNeeded: events), revents: 0)
        let result = poll(&descriptor, 1, milliseconds)
        if result > 0 {
            return .ready
        }
        if result == 0 {
            if milliseconds == 0 {
                return .timedOut
            }
            continue  // rounding between clocks may wake us a hair early; look at the clock again
        }
        let error = errno
        if error != EINTR {
            return .failed(error)
        }
    }
}
