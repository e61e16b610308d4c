import Licensor
import Testing

@Suite("JSON parser and writer")
struct JSONTests {
    @Test(
        "valid documents parse and keep key order",
        arguments: [
            #"{"b":1,"a":[true,false,null],"c":{"d":"e"}}"#, #"[]"#, #"{}"#, #""\u00e9\ud83d\ude00""#, "-0.5e+3",
            #"  {"x" : "y"}  "#,
        ])
    func parses(text: String) throws {
        let value = try JSONParser.parse(text)
        let again = try JSONParser.parse(value.serialized())
        #expect(value == again)
    }

    @Test("object key order survives a round trip")
    func keyOrder() throws {
        let value = try JSONParser.parse(#"{"z":"1","a":"2","m":"3"}"#)
        #expect(value.objectValue?.map(\.0) == ["z", "a", "m"])
    }

    @Test(
        "invalid documents are rejected with a reason",
        arguments: [
            "", "{", "[1,]", "{\"a\":}", "01", "1.", "tru", "\"\\x\"", "\"\u{01}\"", "{\"a\" 1}", "[1] x",
            "\"\\ud800\"", "nul", "{\"a\":1,}",
        ])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("invalid UTF-8 inside a string is rejected")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting deeper than the limit is rejected, not a stack overflow")
    func depth() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test("strings are escaped for JSON and safe inside HTML")
    func escaping() {
        let value = JSONValue.string("<script>\"q\"\n\\&</script>")
        #expect(value.serialized() == #""\u003cscript\u003e\"q\"\n\\\u0026\u003c/script\u003e""#)
    }

    @Test(
        "scalars are escaped only where JSON or a script needs it; other UTF-8 is copied",
        arguments: [
            ("a\u{2028}b\u{2029}c", #""a\u2028b\u2029c""#), ("€ … \u{2027}", "\"€ … \u{2027}\""),
            ("\u{01}\u{1F}\u{7F}\r\t", #""\u0001\u001f"# + "\u{7F}" + #"\r\t""#), ("é😀", "\"é😀\""),
        ])
    func scalarEscaping(text: String, expected: String) throws {
        #expect(JSONValue.string(text).serialized() == expected)
        #expect(try JSONParser.parse(expected) == .string(text))
    }

    @Test(
        "escapes between multi-byte runs decode to the same scalars",
        arguments: [(#""é\n😀\u00e9\\""#, "é\n😀é\\"), (#""\t""#, "\t"), (#""x\"y""#, "x\"y"), (#""""#, "")])
    func escapedRuns(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }
}
