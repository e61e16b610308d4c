/// One machine a license is activated on.
package struct LicenseInstance: Sendable, Equatable {
    /// The instance id the app keeps (a UUID).
    package var id: String
    package var licenseKey: String
    /// The name the app gave it (`instance_name`).
    package var name: String
    /// The keyed hash of the machine's fingerprint, when the app sent one.
    package var fingerprintHash: String?
    package var platform: String?
    package var createdAt: Timestamp
    package var lastSeenAt: Timestamp
    /// When it was deactivated; nil while it holds a seat.
    package var deactivatedAt: Timestamp?
}

/// How many seats a license has and how often they may change hands.
package struct SeatPolicy: Sendable, Hashable {
    /// Live instances allowed; nil for unlimited.
    package var limit: Int?
    /// Deactivations allowed within `deactivationWindow`; nil for unlimited.
    package var deactivationLimit: Int?
    /// The window the deactivation budget counts over.
    package var deactivationWindow: Duration

    /// Creates a policy.
    package init(limit: Int? = nil, deactivationLimit: Int? = nil, deactivationWindow: Duration = .seconds(30 * 86_400))
    {
        self.limit = limit
        self.deactivationLimit = deactivationLimit
        self.deactivationWindow = deactivationWindow
    }
}

/// What an activation came to.
package enum ActivationOutcome: Sendable, Equatable {
    /// A seat is held: a new instance, or (`reused`) the live instance of the same fingerprint.
    case activated(LicenseInstance, reused: Bool)
    /// Every seat is taken; `usage` live instances.
    case limitReached(usage: Int)
}

/// What a deactivation came to.
package enum DeactivationOutcome: Sendable, Equatable {
    /// The instance no longer holds a seat (also when it had been deactivated before: repeating is harmless).
    case deactivated(LicenseInstance)
    /// No instance of this license has that id or fingerprint.
    case notFound
    /// The license's deactivation budget for the window is spent.
    case budgetSpent
}

/// Which instance a request names: by the id it was given, or by its machine's fingerprint hash.
package enum InstanceSelector: Sendable, Equatable {
    case id(String)
    case fingerprintHash(String)
}

/// The seats of licenses: race-free across processes on both stores (the license row is locked, or on SQLite the
/// write transaction is taken, before seats are counted).
package protocol ActivationLedger: AnyObject {
    /// Takes a seat for a machine, or gives back the live instance of the same fingerprint; durable on return.
    func activate(
        key: String, name: String, fingerprintHash: String?, platform: String?, policy: SeatPolicy, now: Timestamp
    ) throws(StoreError) -> ActivationOutcome
    /// Frees the seat of an instance; durable on return.
    func deactivate(key: String, _ selector: InstanceSelector, policy: SeatPolicy, now: Timestamp) throws(StoreError)
        -> DeactivationOutcome
    /// The live instance a selector names, marked as seen now.
    func touchInstance(key: String, _ selector: InstanceSelector, now: Timestamp) throws(StoreError) -> LicenseInstance?
    /// A license's live instances, oldest first.
    func instances(key: String) throws(StoreError) -> [LicenseInstance]
    /// Takes the right to send a recovery email to an address: true for one caller per `interval`, however many
    /// ask at once; durable on return.
    func claimRecovery(email: String, now: Timestamp, interval: Duration) throws(StoreError) -> Bool
    /// Gumroad's `uses` of a license: counted up by one (atomically) when `increment`, else read.
    func uses(key: String, increment: Bool) throws(StoreError) -> Int
}
