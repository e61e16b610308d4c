import Testing

@testable import Licensor

/// One malformed products file and the error it must produce.
struct BadProductsFile: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let code: ProductsFileError.Code
    /// The expected description, `t.yaml:LINE:COLUMN: problem`.
    let message: String

    var testDescription: String { label }

    init(_ label: String, _ yaml: String, _ code: ProductsFileError.Code, _ message: String) {
        self.label = label
        self.yaml = yaml
        self.code = code
        self.message = message
    }
}

@Suite("ProductCatalog errors")
struct ProductCatalogErrorTests {
    static let cases: [BadProductsFile] = [
        BadProductsFile(
            "top level is a sequence", "- gumroad\n- stripe\n", .wrongType,
            "t.yaml:1:1: the top level must be a mapping of sections (defaults, gumroad, …), found a sequence"),
        BadProductsFile(
            "top level is a scalar", "# products\nhello\n", .wrongType,
            "t.yaml:2:1: the top level must be a mapping of sections (defaults, gumroad, …), found a scalar"),
        BadProductsFile(
            "misspelt storefront section", "defaults:\n  duration: 1y\nlemonsqeezy:\n  \"3001\":\n    tier: pro\n",
            .unknownKey,
            "t.yaml:3:1: unknown section \"lemonsqeezy\" (sections: defaults, gumroad, lemonsqueezy, paddle, polar, "
                + "stripe)"),
        BadProductsFile(
            "section is a scalar", "gumroad: nope\n", .wrongType,
            "t.yaml:1:10: section \"gumroad\" must be a mapping of product ids, found a scalar"),
        BadProductsFile(
            "section is a sequence", "gumroad:\n  - abc\n", .wrongType,
            "t.yaml:2:3: section \"gumroad\" must be a mapping of product ids, found a sequence"),
        BadProductsFile(
            "product is a scalar", "gumroad:\n  abc: pro\n", .wrongType,
            "t.yaml:2:8: product \"abc\" must be a mapping with at least a tier, found a scalar"),
        BadProductsFile(
            "product is empty", "gumroad:\n  abc:\n  def:\n    tier: pro\n", .missingField,
            "t.yaml:2:3: product \"abc\" has no tier (add `tier: …` under it)"),
        BadProductsFile(
            "product has no tier", "gumroad:\n  \"abc==\":\n    name: Acme\n", .missingField,
            "t.yaml:2:3: product \"abc==\" has no tier (add `tier: …` under it)"),
        BadProductsFile(
            "tier is an empty string", "gumroad:\n  abc:\n    tier: ''\n", .missingField,
            "t.yaml:3:11: tier of product \"abc\" is empty"),
        BadProductsFile(
            "tier is blank", "gumroad:\n  abc:\n    tier: \"  \"\n", .missingField,
            "t.yaml:3:11: tier of product \"abc\" is empty"),
        BadProductsFile(
            "tier is null", "gumroad:\n  abc:\n    tier: ~\n", .missingField,
            "t.yaml:3:11: tier of product \"abc\" is empty"),
        BadProductsFile(
            "tier is a sequence", "gumroad:\n  abc:\n    tier: [pro, team]\n", .wrongType,
            "t.yaml:3:11: tier of product \"abc\" must be a string, found a sequence"),
        BadProductsFile(
            "tier is a mapping", "gumroad:\n  abc:\n    tier:\n      level: pro\n", .wrongType,
            "t.yaml:4:7: tier of product \"abc\" must be a string, found a mapping"),
        BadProductsFile(
            "name is a sequence", "gumroad:\n  abc:\n    tier: pro\n    name:\n      - A\n", .wrongType,
            "t.yaml:5:7: name of product \"abc\" must be a string, found a sequence"),
        BadProductsFile(
            "typo in a product key", "gumroad:\n  abc:\n    teir: pro\n", .unknownKey,
            "t.yaml:3:5: unknown key \"teir\" in product \"abc\" (allowed: tier, name, duration, variants, "
                + "activations, deactivations)"),
        BadProductsFile(
            "unknown key after a valid tier", "gumroad:\n  abc:\n    tier: pro\n    price: 10\n", .unknownKey,
            "t.yaml:4:5: unknown key \"price\" in product \"abc\" (allowed: tier, name, duration, variants, "
                + "activations, deactivations)"),
        BadProductsFile(
            "duplicate product id", "gumroad:\n  abc:\n    tier: pro\n  abc:\n    tier: team\n", .duplicateKey,
            "t.yaml:4:3: duplicate product id \"abc\" in gumroad (first at line 2)"),
        BadProductsFile(
            "duplicate product id, once quoted", "gumroad:\n  abc: {tier: pro}\n  \"abc\": {tier: team}\n",
            .duplicateKey, "t.yaml:3:3: duplicate product id \"abc\" in gumroad (first at line 2)"),
        BadProductsFile(
            "duplicate field", "gumroad:\n  abc:\n    tier: pro\n    tier: team\n", .duplicateKey,
            "t.yaml:4:5: duplicate key \"tier\" in product \"abc\" (first at line 3)"),
        BadProductsFile(
            "duplicate section", "gumroad:\n  a: {tier: pro}\ngumroad:\n  b: {tier: pro}\n", .duplicateKey,
            "t.yaml:3:1: duplicate section \"gumroad\" (first at line 1)"),
        BadProductsFile(
            "duplicate variant option",
            "gumroad:\n  abc:\n    tier: pro\n    variants:\n      Team: a\n      Team: b\n",
            .duplicateKey,
            "t.yaml:6:7: duplicate variant option \"Team\" in variants of product \"abc\" (first at line 5)"),
        BadProductsFile(
            "duration 1w", "gumroad:\n  abc:\n    tier: pro\n    duration: 1w\n", .invalidValue,
            "t.yaml:4:15: duration \"1w\" is not Nd, Nm, Ny or lifetime"),
        BadProductsFile(
            "duration 0d", "gumroad:\n  abc:\n    tier: pro\n    duration: 0d\n", .invalidValue,
            "t.yaml:4:15: duration \"0d\" is out of range: N must be 1 to 100000"),
        BadProductsFile(
            "duration empty", "gumroad:\n  abc:\n    tier: pro\n    duration:\n", .invalidValue,
            "t.yaml:4:14: duration is empty; write Nd, Nm, Ny or lifetime"),
        BadProductsFile(
            "duration is a mapping", "gumroad:\n  abc:\n    tier: pro\n    duration: {days: 3}\n", .wrongType,
            "t.yaml:4:15: duration must be a string, found a mapping"),
        BadProductsFile(
            "default duration invalid", "defaults:\n  duration: 1.5y\n", .invalidValue,
            "t.yaml:2:13: defaults.duration \"1.5y\" is not Nd, Nm, Ny or lifetime"),
        BadProductsFile(
            "unknown key in defaults", "defaults:\n  duration: 1y\n  tier: pro\n", .unknownKey,
            "t.yaml:3:3: unknown key \"tier\" in defaults (allowed: duration)"),
        BadProductsFile(
            "defaults is a scalar", "defaults: 1y\n", .wrongType,
            "t.yaml:1:11: defaults must be a mapping (duration: 1y), found a scalar"),
        BadProductsFile(
            "variants is a sequence", "gumroad:\n  abc:\n    tier: pro\n    variants: [Team]\n", .wrongType,
            "t.yaml:4:15: variants of product \"abc\" must map variant option names to tiers, found a sequence"),
        BadProductsFile(
            "variant tier is a mapping", "gumroad:\n  abc:\n    tier: pro\n    variants:\n      Team: {tier: team}\n",
            .wrongType, "t.yaml:5:13: tier of variant \"Team\" must be a string, found a mapping"),
        BadProductsFile(
            "variant tier is empty", "gumroad:\n  abc:\n    tier: pro\n    variants:\n      Team:\n", .missingField,
            "t.yaml:5:12: tier of variant \"Team\" is empty"),
        BadProductsFile(
            "variant option is a sequence", "gumroad:\n  abc:\n    tier: pro\n    variants:\n      ? [a]\n      : b\n",
            .wrongType,
            "t.yaml:5:9: a variant option in variants of product \"abc\" must be a string, found a sequence"),
        BadProductsFile(
            "product id is a mapping", "gumroad:\n  ? {a: b}\n  : {tier: pro}\n", .wrongType,
            "t.yaml:2:5: a product id in gumroad must be a string, found a mapping"),
        BadProductsFile(
            "empty product id", "gumroad:\n  \"\": {tier: pro}\n", .invalidValue,
            "t.yaml:2:3: empty product id in gumroad"),
        BadProductsFile(
            "alias", "base: &base {tier: pro}\ngumroad:\n  abc: *base\n", .unsupported,
            "t.yaml:3:8: aliases (*name) are not supported; write the value out in full"),
        BadProductsFile(
            "merge key with alias", "gumroad:\n  a: &a {tier: pro}\n  b:\n    <<: *a\n", .unsupported,
            "t.yaml:4:9: aliases (*name) are not supported; write the value out in full"),
        BadProductsFile(
            "two documents", "gumroad: {}\n---\nstripe: {}\n", .unsupported,
            "t.yaml:2:1: a second YAML document; the products file holds exactly one"),
        BadProductsFile(
            "tab indentation", "gumroad:\n\tabc:\n", .syntax,
            "t.yaml:2:1: YAML syntax error: found character that cannot start any token"
                + " (while scanning for the next token started at line 2)"),
        BadProductsFile(
            "bad indentation", "gumroad:\n  abc:\n    tier: pro\n   name: x\n", .syntax,
            "t.yaml:4:4: YAML syntax error: did not find expected key (while parsing a block mapping started at line 2)"
        ),
        BadProductsFile(
            "unclosed flow sequence", "gumroad:\n  abc: {tier: [pro\n", .syntax,
            "t.yaml:3:1: YAML syntax error: did not find expected ',' or ']'"
                + " (while parsing a flow sequence started at line 2)"),
        BadProductsFile(
            "unterminated quote", "gumroad:\n  \"abc:\n    tier: pro\n", .syntax,
            "t.yaml:4:1: YAML syntax error: found unexpected end of stream"
                + " (while scanning a quoted scalar started at line 2)"),
        BadProductsFile(
            "control character", "gumroad:\n  abc:\n    tier: p\u{1}\n", .syntax,
            "t.yaml:3:12: invalid YAML text: control characters are not allowed (0x1)"),
        BadProductsFile(
            "nesting too deep",
            "gumroad:\n  a: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
            .syntax, "t.yaml:2:68: nesting deeper than 64 levels"),
    ]

    @Test("each mistake is reported with its code, line and column", arguments: cases)
    func reportsMistake(bad: BadProductsFile) {
        do {
            let catalog = try ProductCatalog(yaml: bad.yaml, fileName: "t.yaml")
            Issue.record("parsed without error: \(catalog.sources)")
        } catch {
            #expect(error.code == bad.code, "\(error)")
            #expect(error.description == bad.message)
            #expect(error.file == "t.yaml")
            #expect(!error.description.contains("\n"))
            #expect((error.line ?? 0) >= 1)
        }
    }

    @Test("descriptions stay on one line whatever the file holds")
    func oneLine() {
        #expect(
            ProductsFileError(code: .syntax, file: "a\nb", line: 1, column: 2, problem: "x\ny").description
                == "a b:1:2: x y")
        #expect(ProductsFileError(code: .unreadable, file: "p.yaml", problem: "gone").description == "p.yaml: gone")
        do {
            _ = try ProductCatalog(yaml: "gumroad:\n  abc:\n    \"te\\nir\": pro\n", fileName: "t.yaml")
            Issue.record("parsed")
        } catch {
            #expect(
                error.description
                    == #"t.yaml:3:5: unknown key "te\nir" in product "abc" (allowed: tier, name, duration, variants, "#
                    + "activations, deactivations)")
        }
    }

    @Test(
        "values in messages are quoted, escaped and cut the same way on the plain-ASCII fast path and off it",
        arguments: [
            ("abc", #""abc""#), (#"a"b"#, #""a\"b""#), (#"a\b"#, #""a\\b""#), ("x\ny", #""x\ny""#),
            ("caf\u{E9}", "\"caf\u{E9}\""),
            (String(repeating: "a", count: 60), "\"" + String(repeating: "a", count: 60) + "\""),
            (String(repeating: "a", count: 61), "\"" + String(repeating: "a", count: 60) + "…\""),
        ])
    func quoting(value: String, quoted: String) {
        #expect(productsFileQuoted(value) == quoted)
    }
}
