import Licensor
import Testing

@Suite("JSON properties")
struct JSONPropertyTests {
    /// A JSON number literal in any of the grammar's shapes.
    static func randomNumber(using generator: inout some RandomNumberGenerator) -> String {
        var text = Bool.random(using: &generator) ? "-" : ""
        text += Bool.random(using: &generator) ? "0" : String(UInt64.random(in: 1...UInt64.max, using: &generator))
        if Bool.random(using: &generator) { text += "." + String(UInt32.random(in: 0...999_999, using: &generator)) }
        if Bool.random(using: &generator) {
            text += ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)!
            text += String(Int.random(in: 0...400, using: &generator))
        }
        return text
    }

    /// A random document no deeper than `depth`, with repeated and empty keys allowed.
    static func randomValue(depth: Int, using generator: inout some RandomNumberGenerator) -> JSONValue {
        let kinds = depth > 0 ? 6 : 4
        switch Int.random(in: 0..<kinds, using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(randomNumber(using: &generator))
        case 3: return .string(RandomText.string(maximumLength: 16, using: &generator))
        case 4:
            return .array(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    randomValue(depth: depth - 1, using: &generator)
                })
        default:
            return .object(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    (
                        RandomText.string(maximumLength: 8, using: &generator),
                        randomValue(depth: depth - 1, using: &generator)
                    )
                })
        }
    }

    @Test("random documents serialize and parse back unchanged", arguments: 0..<4)
    func roundTrip(batch: Int) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<250 {
            let value = Self.randomValue(depth: 6, using: &generator)
            let text = value.serialized()
            #expect(try JSONParser.parse(text) == value, "\(text)")
            // Insignificant whitespace around the whole document changes nothing.
            #expect(try JSONParser.parse(" \n\t" + text + "\r\n ") == value)
        }
    }
}
