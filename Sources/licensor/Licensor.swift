import ArgumentParser
import Glibc
import Licensor
import Logging

/// The entry point: the request path skips argument parsing, which costs more at start-up (reflection over the
/// command tree) than answering a 404 does.
@main
enum Entry {
    static func main() {
        // Past a file-size limit (`ulimit -f`) a write must fail with EFBIG, which SQLite reports as a full disk and
        // the request is answered 503 or spooled, instead of the signal killing the process with no answer.
        signal(SIGXFSZ, SIG_IGN)
        // Started as `bootstrap` inside Lambda (no arguments are passed there), run the Runtime API loop.
        let name = CommandLine.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        if name == "bootstrap", getenv("AWS_LAMBDA_RUNTIME_API") != nil {
            LicensorCommand.main(["lambda"])
            return
        }
        if let format = Handle.fastPathFormat(Array(CommandLine.arguments.dropFirst())) {
            exit(Handle.answerOneRequest(format: format) ? 0 : 1)
        }
        LicensorCommand.main()
    }
}

/// `licensor`: one HTTP request in on stdin, one response out on stdout; operator commands beside it.
struct LicensorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licensor",
        abstract: "Turns a storefront sale into a delivered software license.",
        subcommands: [
            Handle.self, Migrate.self, Replay.self, Keygen.self, Verify.self, Find.self, Resend.self, Revoke.self,
            Issue.self, Events.self, Activations.self, Deactivate.self, Lambda.self,
        ],
        defaultSubcommand: Handle.self
    )
}

/// Reads one request on stdin and writes one response on stdout.
struct Handle: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer one HTTP request read from stdin (the default command).")

    @Option(help: "Force the envelope: json, apigw1, apigw2, http or cgi (default: detect).")
    var format: EnvelopeFormat?

    func run() throws {
        if !Self.answerOneRequest(format: format) { throw ExitCode(1) }
    }

    /// Reads one request on stdin and writes one response on stdout; false when no response could be written.
    static func answerOneRequest(format: EnvelopeFormat?) -> Bool {
        let context = CommandContext.make()
        // One budget for reading the request and answering it.
        let deadline = Deadline(budget: Configuration.deadlineBudget(environment: context.environment))
        let application = Application(environment: context.environment, logger: context.logger, deadline: deadline)
        return Invocation.run(
            input: 0, output: 1, environment: context.environment, format: format, responder: application,
            logger: context.logger, deadline: deadline)
    }

    /// The forced format when the arguments are exactly the request path (`[handle] [--format F]`), `.some(nil)`
    /// to detect it, and nil for anything else, which goes to the argument parser (and its error messages).
    static func fastPathFormat(_ arguments: [String]) -> EnvelopeFormat?? {
        var rest = arguments
        if rest.first == "handle" { rest.removeFirst() }
        switch rest.count {
        case 0: return .some(nil)
        case 1 where rest[0].hasPrefix("--format="):
            return EnvelopeFormat(rawValue: String(rest[0].dropFirst("--format=".count))).map { .some($0) }
        case 2 where rest[0] == "--format": return EnvelopeFormat(rawValue: rest[1]).map { .some($0) }
        default: return nil
        }
    }
}

extension EnvelopeFormat: ExpressibleByArgument {}

/// Runs the AWS Lambda Runtime API loop.
struct Lambda: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve AWS Lambda invocations through the Runtime API at $AWS_LAMBDA_RUNTIME_API.")

    func run() throws {
        let context = CommandContext.make()
        guard let api = context.environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            printError("licensor: AWS_LAMBDA_RUNTIME_API is not set; `licensor lambda` runs only inside Lambda")
            throw ExitCode(1)
        }
        let loop = LambdaRuntimeLoop(runtimeAPI: api, environment: context.environment, logger: context.logger)
        do {
            try loop.run()
        } catch {
            printError("licensor: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Creates or upgrades the schema.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).migrate() }
    }
}

/// Makes a new signing key.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a new Ed25519 signing key (mode 0600) and print its public key.")

    @Option(help: "Where to write the private key PEM.")
    var out: String = "licensor-signing-key.pem"

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).keygen(path: out) }
    }
}

/// Checks a license token offline.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a license token against the trusted public keys and print its claims.")

    @Argument(help: "The v4.public token.")
    var token: String

    @Option(name: .customLong("public-key"), help: "A trusted public key (PEM text or a file); repeatable.")
    var publicKeys: [String] = []

    @Flag(help: "Print the claims as JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).verify(token: token, publicKeys: publicKeys, json: json) }
    }
}

/// Re-runs stored events or ingests the spool.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run steps 2–6 for stored events (never a new audit row), or ingest the spool.")

    @Argument(help: "Audit rows to replay, as `licensor events` shows them: 12 (Gumroad), stripe:12.")
    var ids: [String] = []

    @Flag(help: "Replay every event that is not processed.")
    var allFailed = false

    @Option(help: "Only events received at or after this time (RFC 3339, e.g. 2026-11-29T00:00:00Z).")
    var since: String?

    @Flag(help: "Ingest the requests spooled in LICENSOR_SPOOL_DIR.")
    var spool = false

    @Flag(help: "Show what would be replayed without doing it.")
    var dryRun = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform {
            var sinceTime: Timestamp?
            if let since {
                guard let parsed = Timestamp(parsing: since) else {
                    throw LicensorError(.usage, "--since: \"\(since)\" is not an RFC 3339 time")
                }
                sinceTime = parsed
            }
            var references: [AuditEventReference] = []
            for id in ids {
                guard let reference = AuditEventReference(parsing: id) else {
                    throw LicensorError(.usage, "\"\(id)\" is not an event id (12, or source:12 such as stripe:12)")
                }
                references.append(reference)
            }
            let selection = Operations.ReplaySelection(
                ids: references, allFailed: allFailed, since: sinceTime, spool: spool, dryRun: dryRun)
            try Operations(context).replay(selection, json: json)
        }
    }
}

/// Lists a buyer's licenses.
struct Find: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the licenses of an email address.")

    @Argument(help: "The buyer's email (case-insensitive).")
    var email: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).find(email: email, json: json) }
    }
}

/// Lists the machines a license is activated on.
struct Activations: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the machines a license is activated on.")

    @Argument(help: "The license key (case and dashes as typed).")
    var key: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).activations(key: key, json: json) }
    }
}

/// Frees one machine's seat.
struct Deactivate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Free the seat of one activated machine.")

    @Argument(help: "The license key.")
    var key: String

    @Option(help: "The instance id, as `licensor activations` shows it.")
    var instance: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).deactivate(key: key, instance: instance, json: json) }
    }
}

/// Sends a license email again.
struct Resend: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Email a license to its buyer again.")

    @Argument(help: "The license key.")
    var key: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).resend(key: key, json: json) }
    }
}

/// Revokes a license.
struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke a license.")

    @Argument(help: "The license key.")
    var key: String

    @Option(help: "Why; kept in the license's notes.")
    var reason: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).revoke(key: key, reason: reason, json: json) }
    }
}

/// Issues a manual or complimentary license.
struct Issue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue a manual or complimentary license (source manual) and email it.")

    @Option(help: "The buyer's email.")
    var email: String

    @Option(help: "The product id, as in the products file.")
    var product: String

    @Option(help: "The tier (default: the product's tier in the products file).")
    var tier: String?

    @Option(help: "The buyer's name (default: derived from the email).")
    var name: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform {
            try Operations(context).issue(email: email, product: product, tier: tier, name: name, json: json)
        }
    }
}

/// Shows the audit log.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the audit log, newest first.")

    @Flag(help: "Only events that are not processed.")
    var failed = false

    @Option(help: "How many events to show.")
    var limit = 50

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = CommandContext.make()
        try context.perform { try Operations(context).events(failedOnly: failed, limit: limit, json: json) }
    }
}

/// The environment and logger every command starts from.
struct CommandContext {
    var environment: [String: String]
    var logger: Logger

    static func make() -> CommandContext {
        let environment = currentEnvironment()
        let settings = StderrLogHandler.settings(environment: environment)
        LoggingSystem.bootstrap { label in
            StderrLogHandler(label: label, level: settings.level, format: settings.format)
        }
        let logger = Logger(label: "licensor")
        for error in settings.errors { logger.error("configuration error: \(error)") }
        return CommandContext(environment: environment, logger: logger)
    }

    /// Runs an operator command: a failure prints one line to stderr and exits non-zero.
    func perform(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            printError("licensor: \(error)")
            throw ExitCode(1)
        }
    }
}

extension Operations {
    init(_ context: CommandContext) {
        self.init(environment: context.environment, logger: context.logger, output: { print($0) })
    }
}

func currentEnvironment() -> [String: String] {
    var count = 0
    while environ[count] != nil { count += 1 }
    // Sized once: growing entry by entry rehashed the table six times on every start.
    var environment = [String: String](minimumCapacity: count)
    var pointer = environ
    while let entry = pointer.pointee {
        // Split on the byte, not on Characters: Lambda's environment holds kilobyte-long session tokens, and
        // walking them grapheme by grapheme cost a measurable part of every start.
        if let equals = strchr(entry, 0x3D) {
            let name = UnsafeRawBufferPointer(start: entry, count: equals - entry)
            environment[String(decoding: name, as: UTF8.self)] = String(cString: equals + 1)
        }
        pointer += 1
    }
    return environment
}

func printError(_ line: String) {
    FileIO.writeAll(2, Array((line + "\n").utf8))
}
