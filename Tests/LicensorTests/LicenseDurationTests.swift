import FoundationEssentials
import Licensor
import Testing

@Suite("LicenseDuration")
struct LicenseDurationTests {
    @Test(
        "accepts Nd, Nm, Ny and lifetime",
        arguments: [
            ("1d", LicenseDuration.days(1)),
            ("365d", .days(365)),
            ("007d", .days(7)),
            ("1m", .months(1)),
            ("18m", .months(18)),
            ("1y", .years(1)),
            ("100000y", .years(100_000)),
            ("100000d", .days(100_000)),
            ("lifetime", .lifetime),
        ]
    )
    func parsesValid(text: String, expected: LicenseDuration) throws {
        #expect(try LicenseDuration(parsing: text) == expected)
    }

    @Test(
        "rejects malformed durations",
        arguments: [
            "", "d", "y", "1", "1w", "1.5y", "-1d", "+1d", "1 d", " 1d", "1d ", "1D", "1Y", "Lifetime", "forever",
            "1dd", "d1", "1e3d", "١d", "0x10d", "lifetimes",
        ]
    )
    func rejectsMalformed(text: String) {
        #expect {
            try LicenseDuration(parsing: text)
        } throws: { error in
            (error as? LicenseDurationError)?.code == .malformed
        }
    }

    @Test(
        "rejects counts outside 1...100000",
        arguments: ["0d", "0m", "0y", "000d", "100001d", "999999999999999999999999999999y"]
    )
    func rejectsOutOfRange(text: String) {
        #expect {
            try LicenseDuration(parsing: text)
        } throws: { error in
            (error as? LicenseDurationError)?.code == .outOfRange
        }
    }

    @Test("the error reads as one line naming the text")
    func errorDescription() {
        #expect(
            LicenseDurationError(code: .malformed, text: "1w").description
                == "duration \"1w\" is not Nd, Nm, Ny or lifetime")
        #expect(
            LicenseDurationError(code: .outOfRange, text: "0d").description
                == "duration \"0d\" is out of range: N must be 1 to 100000")
        #expect(!LicenseDurationError(code: .malformed, text: "a\nb").description.contains("\n"))
    }

    @Test("description round-trips", arguments: [LicenseDuration.days(30), .months(6), .years(2), .lifetime])
    func descriptionRoundTrips(duration: LicenseDuration) throws {
        #expect(try LicenseDuration(parsing: duration.description) == duration)
    }

    @Test(
        "expiry is calendar arithmetic in UTC",
        arguments: [
            // 2024 is a leap year: 365 days from Jan 1 is Dec 31, not Jan 1.
            ("365d", "2024-01-01T12:30:00Z", "2024-12-31T12:30:00Z"),
            ("365d", "2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
            ("1d", "2024-12-31T23:59:59Z", "2025-01-01T23:59:59Z"),
            ("1m", "2024-01-31T08:00:00Z", "2024-02-29T08:00:00Z"),
            ("1m", "2023-01-31T08:00:00Z", "2023-02-28T08:00:00Z"),
            ("1m", "2024-03-15T00:00:00Z", "2024-04-15T00:00:00Z"),
            ("12m", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"),
            ("1y", "2024-02-29T10:00:00Z", "2025-02-28T10:00:00Z"),
            ("4y", "2024-02-29T10:00:00Z", "2028-02-29T10:00:00Z"),
            ("1y", "2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z"),
        ]
    )
    func expiry(duration: String, issued: String, expected: String) throws {
        let issuedDate = try #require(Timestamp(parsing: issued))
        let expectedDate = try #require(Timestamp(parsing: expected))
        #expect(try LicenseDuration(parsing: duration).expiry(from: issuedDate) == expectedDate)
    }

    @Test("lifetime expires at 9999-12-31T23:59:59Z")
    func lifetime() throws {
        let end = try #require(Timestamp(parsing: "9999-12-31T23:59:59Z"))
        #expect(LicenseDuration.lifetimeExpiry == end)
        #expect(LicenseDuration.lifetime.expiry(from: Timestamp(seconds: 1_700_000_000)) == end)
    }

    @Test("expiries past 9999 are clamped to the lifetime expiry", arguments: ["100000y", "100000m"])
    func clampsFarFuture(duration: String) throws {
        let issued = Timestamp(seconds: 1_700_000_000)
        #expect(try LicenseDuration(parsing: duration).expiry(from: issued) == LicenseDuration.lifetimeExpiry)
    }

    @Test("renewal extends from the previous expiry")
    func extendsFromPreviousExpiry() throws {
        let issued = try #require(Timestamp(parsing: "2024-01-31T00:00:00Z"))
        let first = LicenseDuration.months(1).expiry(from: issued)
        let second = LicenseDuration.months(1).expiry(from: first)
        #expect(second == (try #require(Timestamp(parsing: "2024-03-29T00:00:00Z"))))
    }
}
