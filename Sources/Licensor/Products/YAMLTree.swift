import CYAML

/// A position in a YAML text, 1-based.
struct YAMLMark: Sendable, Equatable {
    /// The 1-based line.
    var line: Int
    /// The 1-based column, counted in characters.
    var column: Int
}

/// One node of a parsed YAML document. Scalars keep their text verbatim: the products file never wants YAML's
/// implicit typing (a product id `12345` is the string "12345", not a number).
struct YAMLNode: Sendable {
    /// The three node kinds; aliases never reach this tree because the reader refuses them.
    enum Kind: Sendable {
        /// A scalar's text, and whether it was written plain (unquoted), which decides if it can mean null.
        case scalar(String, isPlain: Bool)
        /// A sequence's items.
        case sequence([YAMLNode])
        /// A mapping's pairs in file order, duplicates kept so the caller can report them.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// What the node holds.
    var kind: Kind
    /// Where the node starts.
    var mark: YAMLMark

    /// True for an unquoted empty, `~` or `null` scalar, the spellings YAML's core schema reads as null.
    var isNull: Bool {
        guard case .scalar(let text, isPlain: true) = kind else {
            return false
        }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// "a scalar", "a sequence" or "a mapping", for messages.
    var kindName: String {
        switch kind {
        case .scalar: "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}

/// Turns YAML bytes into a ``YAMLNode`` tree with libyaml's event parser.
///
/// The tree is built with an explicit stack rather than recursion, and nesting is capped, so hostile input can
/// neither overflow the stack nor expand through aliases (which are refused outright).
enum YAMLTreeReader {
    /// The deepest nesting accepted; the products file needs four levels.
    static let maximumDepth = 64

    /// Parses a single-document stream; returns nil when the stream holds no document (an empty or comment-only
    /// file).
    static func read(_ bytes: [UInt8], fileName: String) throws(ProductsFileError) -> YAMLNode? {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw ProductsFileError(code: .syntax, file: fileName, problem: "YAML parser: out of memory")
        }
        defer { yaml_parser_delete(parser) }

        // libyaml keeps a pointer to the input for the whole parse, so it gets its own stable copy.
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { input.deallocate() }
        input.initialize(from: bytes, count: bytes.count)
        yaml_parser_set_input_string(parser, input, bytes.count)

        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }

        var builder = Builder(fileName: fileName)
        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                throw syntaxError(parser.pointee, bytes: bytes, fileName: fileName)
            }
            let finished: Bool
            do {
                finished = try builder.consume(event.pointee)
            } catch {
                yaml_event_delete(event)
                throw error
            }
            yaml_event_delete(event)
            if finished {
                return builder.root
            }
        }
    }

    /// Builds the tree from a stream of events.
    private struct Builder {
        /// An open collection waiting for its end event. A class, so appending does not copy the array.
        final class Frame {
            let isMapping: Bool
            let mark: YAMLMark
            var items: [YAMLNode] = []
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var pendingKey: YAMLNode?

            init(isMapping: Bool, mark: YAMLMark) {
                self.isMapping = isMapping
                self.mark = mark
            }
        }

        let fileName: String
        var stack: [Frame] = []
        var root: YAMLNode?
        var documents = 0

        init(fileName: String) {
            self.fileName = fileName
        }

        /// Takes one event; returns true at the end of the stream.
        mutating func consume(_ event: yaml_event_t) throws(ProductsFileError) -> Bool {
            let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                return true
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw failure(.unsupported, mark, "a second YAML document; the products file holds exactly one")
                }
            case YAML_ALIAS_EVENT:
                throw failure(.unsupported, mark, "aliases (*name) are not supported; write the value out in full")
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text =
                    if let value = scalar.value, scalar.length > 0 {
                        String(decoding: UnsafeBufferPointer(start: value, count: Int(scalar.length)), as: UTF8.self)
                    } else {
                        ""
                    }
                let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                attach(YAMLNode(kind: .scalar(text, isPlain: isPlain), mark: mark))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLTreeReader.maximumDepth else {
                    throw failure(.syntax, mark, "nesting deeper than \(YAMLTreeReader.maximumDepth) levels")
                }
                stack.append(Frame(isMapping: event.type == YAML_MAPPING_START_EVENT, mark: mark))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                // libyaml guarantees balanced events; the guard only keeps a broken stream from trapping.
                guard let frame = stack.popLast() else {
                    throw failure(.syntax, mark, "unbalanced YAML collection")
                }
                let kind: YAMLNode.Kind = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
                attach(YAMLNode(kind: kind, mark: frame.mark))
            default:
                break
            }
            return false
        }

        private mutating func attach(_ node: YAMLNode) {
            guard let frame = stack.last else {
                root = node
                return
            }
            if !frame.isMapping {
                frame.items.append(node)
            } else if let key = frame.pendingKey {
                frame.pairs.append((key: key, value: node))
                frame.pendingKey = nil
            } else {
                frame.pendingKey = node
            }
        }

        private func failure(_ code: ProductsFileError.Code, _ mark: YAMLMark, _ problem: String) -> ProductsFileError {
            ProductsFileError(code: code, file: fileName, line: mark.line, column: mark.column, problem: problem)
        }
    }

    /// Converts libyaml's error state into an error with a position and libyaml's own problem text.
    private static func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8], fileName: String) -> ProductsFileError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return ProductsFileError(code: .syntax, file: fileName, problem: "YAML parser: out of memory")
        case YAML_READER_ERROR:
            // Reader errors (bad encoding, control characters) carry a byte offset instead of a mark.
            let mark = position(ofByte: Int(parser.problem_offset), in: bytes)
            var text = "invalid YAML text: \(problem)"
            if parser.problem_value != -1 {
                text += " (0x\(String(parser.problem_value, radix: 16, uppercase: true)))"
            }
            return ProductsFileError(
                code: .syntax, file: fileName, line: mark.line, column: mark.column, problem: text)
        default:
            var text = "YAML syntax error: \(problem)"
            if let context = parser.context {
                let contextLine = Int(parser.context_mark.line) + 1
                text += " (\(String(cString: context)) started at line \(contextLine))"
            }
            return ProductsFileError(
                code: .syntax,
                file: fileName,
                line: Int(parser.problem_mark.line) + 1,
                column: Int(parser.problem_mark.column) + 1,
                problem: text
            )
        }
    }

    /// The 1-based line and character column of a byte offset.
    private static func position(ofByte offset: Int, in bytes: [UInt8]) -> YAMLMark {
        var line = 1
        var column = 1
        for byte in bytes.prefix(min(offset, bytes.count)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return YAMLMark(line: line, column: column)
    }
}
