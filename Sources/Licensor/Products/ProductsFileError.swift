/// A products file that cannot be read or does not follow the format, with the place of the mistake.
public struct ProductsFileError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The file could not be opened or read (missing, permissions, not a regular file).
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file is larger than ``ProductCatalog/maximumFileSize``.
        public static let tooLarge = Code(rawValue: "tooLarge")
        /// The file is not valid YAML (libyaml's problem text), or nests too deeply.
        public static let syntax = Code(rawValue: "syntax")
        /// Valid YAML that uses a feature the products file refuses: aliases, several documents.
        public static let unsupported = Code(rawValue: "unsupported")
        /// A mapping where a string was expected, a scalar where a mapping was expected, and so on.
        public static let wrongType = Code(rawValue: "wrongType")
        /// A required field (a product's `tier`) is absent or empty.
        public static let missingField = Code(rawValue: "missingField")
        /// A key the format does not know, usually a typo such as `teir`.
        public static let unknownKey = Code(rawValue: "unknownKey")
        /// The same key twice in one mapping (a product id, a section, a field, a variant option).
        public static let duplicateKey = Code(rawValue: "duplicateKey")
        /// A value of the right type but not an allowed one, such as `duration: 1w`.
        public static let invalidValue = Code(rawValue: "invalidValue")

        /// A stable name for logs and tests.
        public let rawValue: String

        /// The raw value.
        public var description: String { rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The file name as given to the loader (a path, or the name passed with YAML text).
    public let file: String
    /// The 1-based line of the mistake, when it has one.
    public let line: Int?
    /// The 1-based column of the mistake, when it has one.
    public let column: Int?
    /// What is wrong, for a person: `duration "1w" is not Nd, Nm, Ny or lifetime`.
    public let problem: String
    /// The `errno` behind an ``Code/unreadable`` failure.
    public let systemErrno: Int32?

    /// Creates an error; `line` and `column` are 1-based.
    public init(
        code: Code,
        file: String,
        line: Int? = nil,
        column: Int? = nil,
        problem: String,
        systemErrno: Int32? = nil
    ) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
        self.systemErrno = systemErrno
    }

    /// One line in the compiler style: `config/products.yaml:12:5: duration "1w" is not Nd, Nm, Ny or lifetime`.
    public var description: String {
        var place = Self.oneLine(file)
        if let line {
            place += ":\(line)"
            if let column {
                place += ":\(column)"
            }
        }
        return "\(place): \(Self.oneLine(problem))"
    }

    /// Replaces line breaks and other control characters, so a log line stays one line whatever the input was.
    private static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return text
        }
        var result = ""
        for scalar in text.unicodeScalars {
            result.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return result
    }
}
