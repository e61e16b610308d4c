#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A UTC instant with microsecond precision, with the calendar arithmetic and text forms licensor needs.
///
/// Civil-date conversion is done here (Howard Hinnant's algorithms) rather than through `Calendar`, so a request
/// pays for no calendar or time-zone machinery at start-up.
package struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    package var microseconds: Int64

    /// Creates a timestamp from microseconds since the Unix epoch.
    package init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Creates a timestamp from whole seconds since the Unix epoch.
    package init(seconds: Int64) {
        self.microseconds = seconds * 1_000_000
    }

    /// The current time.
    package static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// 9999-12-31T23:59:59Z, what a lifetime license stores as `expires_at`.
    package static let lifetime = Timestamp(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)

    /// Creates a timestamp from UTC calendar fields.
    package init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, micro: Int = 0) {
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        self.microseconds = seconds * 1_000_000 + Int64(micro)
    }

    /// Whole seconds since the epoch, rounded down.
    package var seconds: Int64 {
        microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
    }

    /// The UTC calendar fields.
    package var fields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micro: Int) {
        let secs = seconds
        let micro = Int(microseconds - secs * 1_000_000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let secondOfDay = Int(secs - days * 86400)
        let (y, m, d) = Timestamp.civilFromDays(Int(days))
        return (y, m, d, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60, micro)
    }

    /// RFC 3339 in UTC with seconds precision, e.g. `2026-11-29T02:43:40Z`.
    package var rfc3339: String {
        let f = fields
        return "\(pad(f.year, 4))-\(pad(f.month))-\(pad(f.day))T\(pad(f.hour)):\(pad(f.minute)):\(pad(f.second))Z"
    }

    /// The database text form `2026-11-29 02:43:40.123456` (UTC).
    package var sqlText: String {
        let f = fields
        return "\(pad(f.year, 4))-\(pad(f.month))-\(pad(f.day)) \(pad(f.hour)):\(pad(f.minute)):\(pad(f.second))."
            + pad(f.micro, 6)
    }

    package var description: String { rfc3339 }

    /// Parses `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|+00[:00]]`, the forms SQLite, PostgreSQL and RFC 3339 use; an
    /// offset other than zero is applied, and one that no zone has (an hour past 23, a minute past 59) is refused.
    package init?(parsing text: String) {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for c in b[from..<from + count] {
                guard (0x30...0x39).contains(c) else { return nil }
                n = n * 10 + Int(c - 0x30)
            }
            return n
        }
        guard b.count >= 19, let year = number(0, 4), b[4] == 0x2D, let month = number(5, 2), b[7] == 0x2D,
            let day = number(8, 2), b[10] == 0x20 || b[10] == 0x54 || b[10] == 0x74, let hour = number(11, 2),
            b[13] == 0x3A, let minute = number(14, 2), b[16] == 0x3A, let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var micro = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var digits = 0
            while i < b.count, (0x30...0x39).contains(b[i]) {
                if digits < 6 { micro = micro * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micro *= 10 }
        }
        var offsetSeconds = 0
        if i < b.count {
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D {
                let sign = b[i] == 0x2B ? 1 : -1
                guard let oh = number(i + 1, 2), oh < 24 else { return nil }
                i += 3
                var om = 0
                if i < b.count, b[i] == 0x3A { i += 1 }
                if i < b.count {
                    guard let m = number(i, 2), m < 60 else { return nil }
                    om = m
                    i += 2
                }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, micro: micro)
        microseconds -= Int64(offsetSeconds) * 1_000_000
        // An offset or a leap second can carry 9999-12-31 or 0000-01-01 out of the four-digit years, which
        // `rfc3339` could not write back in a parseable form (found by the token fuzzer).
        guard (Timestamp.earliest...Timestamp.latest).contains(self) else { return nil }
    }

    /// Parses RFC 3339 `date-time` exactly (§5.6): a `T`, seconds, and a `Z` or `±HH:MM` offset are required and every
    /// field must exist on the calendar, so a token claim has one reading in every language's parser.
    package init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b[10] == 0x54 || b[10] == 0x74 else { return nil }
        var end = 19
        if b[end] == 0x2E {
            end += 1
            while end < b.count, (0x30...0x39).contains(b[end]) { end += 1 }
        }
        guard end < b.count else { return nil }
        switch b[end] {
        case 0x5A, 0x7A: guard end + 1 == b.count else { return nil }
        case 0x2B, 0x2D: guard end + 6 == b.count, b[end + 3] == 0x3A else { return nil }
        default: return nil
        }
        guard let parsed = Timestamp(parsing: text) else { return nil }
        // `parsing` accepts 31 days in every month; RFC 3339 does not.
        let month = Int(b[5] - 0x30) * 10 + Int(b[6] - 0x30)
        let year = b[0..<4].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let day = Int(b[8] - 0x30) * 10 + Int(b[9] - 0x30)
        guard day <= Timestamp.daysIn(month: month, year: year) else { return nil }
        self = parsed
    }

    /// 0000-01-01T00:00:00Z, the earliest instant with a four-digit year.
    package static let earliest = Timestamp(year: 0, month: 1, day: 1)
    /// 9999-12-31T23:59:59.999999Z, the latest instant with a four-digit year.
    package static let latest = Timestamp(
        year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, micro: 999_999)

    /// This instant moved by calendar days, months and years in UTC; a day past the end of the target month is
    /// clamped to its last day (Jan 31 + 1 month = Feb 28 or 29).
    package func adding(years: Int = 0, months: Int = 0, days: Int = 0) -> Timestamp {
        let f = fields
        let totalMonths = f.year * 12 + (f.month - 1) + years * 12 + months
        let year = totalMonths >= 0 ? totalMonths / 12 : (totalMonths - 11) / 12
        let month = totalMonths - year * 12 + 1
        let day = min(f.day, Timestamp.daysIn(month: month, year: year))
        var moved = Timestamp(
            year: year, month: month, day: day, hour: f.hour, minute: f.minute, second: f.second, micro: f.micro)
        moved.microseconds += Int64(days) * 86_400_000_000
        return moved
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

private func pad(_ value: Int, _ width: Int = 2) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
