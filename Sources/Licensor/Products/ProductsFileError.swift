/// A products file that cannot be read or does not follow the format, with the place of the mistake.
package struct ProductsFileError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The file could not be opened or read (missing, permissions, not a regular file).
        package static let unreadable = Code(rawValue: "unreadable")
        /// The file is larger than ``ProductCatalog/maximumFileSize``.
        package static let tooLarge = Code(rawValue: "tooLarge")
        /// The file is not valid YAML (libyaml's problem text), or nests too deeply.
        package static let syntax = Code(rawValue: "syntax")
        /// Valid YAML that uses a feature the products file refuses: aliases, several documents.
        package static let unsupported = Code(rawValue: "unsupported")
        /// A mapping where a string was expected, a scalar where a mapping was expected, and so on.
        package static let wrongType = Code(rawValue: "wrongType")
        /// A required field (a product's `tier`) is absent or empty.
        package static let missingField = Code(rawValue: "missingField")
        /// A key the format does not know, usually a typo such as `teir`.
        package static let unknownKey = Code(rawValue: "unknownKey")
        /// The same key twice in one mapping (a product id, a section, a field, a variant option).
        package static let duplicateKey = Code(rawValue: "duplicateKey")
        /// A value of the right type but not an allowed one, such as `duration: 1w`.
        package static let invalidValue = Code(rawValue: "invalidValue")

        /// A stable name for logs and tests.
        package let rawValue: String

        /// The raw value.
        package var description: String { rawValue }
    }

    /// The kind of failure.
    package let code: Code
    /// The file name as given to the loader (a path, or the name passed with YAML text).
    package let file: String
    /// The 1-based line of the mistake, when it has one.
    package let line: Int?
    /// The 1-based column of the mistake, when it has one.
    package let column: Int?
    /// What is wrong, for a person: `duration "1w" is not Nd, Nm, Ny or lifetime`.
    package let problem: String
    /// The `errno` behind an ``Code/unreadable`` failure.
    package let systemErrno: Int32?

    /// Creates an error; `line` and `column` are 1-based.
    package init(
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
    package var description: String {
        var place = file.collapsingControlCharacters
        if let line {
            place += ":\(line)"
            if let column {
                place += ":\(column)"
            }
        }
        return "\(place): \(problem.collapsingControlCharacters)"
    }
}
