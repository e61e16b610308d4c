import ArgumentParser
import Glibc
import Licensor
import Logging

/// `licensor`: one HTTP request in on stdin, one response out on stdout; operator commands beside it.
@main
struct LicensorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licensor",
        abstract: "Turns a storefront sale into a delivered software license.",
        subcommands: [Handle.self, Migrate.self, Keygen.self, Verify.self, Lambda.self],
        defaultSubcommand: Handle.self
    )

    /// Started as `bootstrap` inside Lambda (no arguments are passed there), the binary runs the Runtime API loop.
    static func main() {
        let name = CommandLine.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        if name == "bootstrap", getenv("AWS_LAMBDA_RUNTIME_API") != nil {
            main(["lambda"])
        } else {
            main(nil)
        }
    }
}

/// Reads one request on stdin and writes one response on stdout.
struct Handle: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer one HTTP request read from stdin (the default command).")

    @Option(help: "Force the envelope: json, apigw1, apigw2, http or cgi (default: detect).")
    var format: EnvelopeFormat?

    func run() throws {
        let context = CommandContext.make()
        // One budget for reading the request and answering it.
        let deadline = Deadline(
            budget: (try? Configuration(environment: context.environment).deadline)
                ?? .milliseconds(Configuration.defaultDeadlineMilliseconds))
        let application = Application(environment: context.environment, logger: context.logger, deadline: deadline)
        let written = Invocation.run(
            input: 0, output: 1, environment: context.environment, format: format, application: application,
            logger: context.logger, deadline: deadline)
        if !written { throw ExitCode(1) }
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
    var environment: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return environment
}

func printError(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
