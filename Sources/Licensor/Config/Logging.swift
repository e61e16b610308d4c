import Glibc
import Logging

/// Writes log lines to stderr as text for people or JSON for log collectors; stdout is kept for the response.
package struct StderrLogHandler: LogHandler {
    /// The line format.
    package enum Format: String, Sendable {
        case text
        case json
    }

    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format

    /// Creates a handler.
    package init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Timestamp.now().rfc3339
        let line: String
        switch format {
        case .text:
            // Appended in loops rather than mapped and joined: the generic `joined` looked up its associated types
            // at run time, a measurable part of a start that logs a line.
            var fields = ""
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                fields += " " + Self.escaped(key) + "=" + Self.escaped(value.description)
            }
            // A multi-line message (the logging email service's rendered email) stays readable: its later lines
            // follow the record as continuation lines, each escaped and marked `    | `, so none can pass for a
            // record of its own (those start with a timestamp).
            let lines = event.message.description.split(separator: "\n", omittingEmptySubsequences: false)
            var rest = ""
            for continuation in lines.dropFirst() { rest += "    | " + Self.escaped(String(continuation)) + "\n" }
            line = "\(time) \(event.level) \(Self.escaped(label)): \(Self.escaped(String(lines[0])))\(fields)\n\(rest)"
        case .json:
            var members: [(String, JSONValue)] = [
                ("time", .string(time)), ("level", .string(event.level.rawValue)), ("logger", .string(label)),
                ("message", .string(event.message.description)),
            ]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                members.append((key, .string(value.description)))
            }
            line = JSONValue.object(members).serialized() + "\n"
        }
        FileIO.writeAll(2, Array(line.utf8))
    }

    /// Text with every control character escaped, so a value from a request cannot forge a log line.
    package static func escaped(_ text: String) -> String { text.escapingControlCharacters }

    /// Reads `LOG_LEVEL` and `LOG_FORMAT`; an invalid value falls back to the default and is returned as a
    /// configuration error for the caller to log once logging works.
    package static func settings(
        environment env: [String: String]
    ) -> (level: Logger.Level, format: Format, errors: [ConfigurationError]) {
        var errors: [ConfigurationError] = []
        var level = Logger.Level.info
        if let raw = env["LOG_LEVEL"].nonEmpty {
            if let parsed = Logger.Level(rawValue: raw.lowercased()) {
                level = parsed
            } else {
                errors.append(
                    ConfigurationError(
                        variable: "LOG_LEVEL",
                        problem: "\"\(raw)\" is not one of trace, debug, info, notice, warning, error, critical"))
            }
        }
        var format = Format.text
        if let raw = env["LOG_FORMAT"].nonEmpty {
            if let parsed = Format(rawValue: raw.lowercased()) {
                format = parsed
            } else {
                errors.append(ConfigurationError(variable: "LOG_FORMAT", problem: "\"\(raw)\" is not json or text"))
            }
        }
        return (level, format, errors)
    }
}
