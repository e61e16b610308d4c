import Glibc
import Logging

/// Writes log lines to stderr as text for people or JSON for log collectors; stdout is kept for the response.
public struct StderrLogHandler: LogHandler {
    /// The line format.
    public enum Format: String, Sendable {
        case text
        case json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format

    /// Creates a handler.
    public init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Timestamp.now().rfc3339
        let line: String
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(time) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n"
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
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Reads `LOG_LEVEL` and `LOG_FORMAT`; an invalid value falls back to the default and is returned as a
    /// configuration error for the caller to log once logging works.
    public static func settings(
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
