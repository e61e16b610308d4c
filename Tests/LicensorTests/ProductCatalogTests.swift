import Licensor
import Testing

@Suite("ProductCatalog parsing")
struct ProductCatalogTests {
    static let example = """
        # Example products file
        defaults:
          duration: 2y

        gumroad:
          "AbC123xyz==":
            tier: pro
            name: Acme Pro
            duration: 365d
            variants:
              Team: team
              "Site License": enterprise
          12345:
            tier: basic
          'lifetime-id':
            tier: pro
            duration: lifetime
            name: Acme Pro — Lifetime Édition
        stripe:
          prod_Nx:
            tier: pro
            duration: 1m
        """

    @Test("a full example file")
    func fullExample() throws {
        let catalog = try ProductCatalog(yaml: Self.example, fileName: "products.yaml")
        #expect(catalog.defaultDuration == .years(2))
        #expect(catalog.sources == ["gumroad", "stripe"])
        #expect(catalog.products(source: "gumroad").map(\.productID) == ["12345", "AbC123xyz==", "lifetime-id"])

        let pro = try #require(catalog.product(source: "gumroad", productID: "AbC123xyz=="))
        #expect(pro.tier == "pro")
        #expect(pro.name == "Acme Pro")
        #expect(pro.duration == .days(365))
        #expect(pro.variants == ["Team": "team", "Site License": "enterprise"])
        #expect(pro.source == "gumroad")

        let numeric = try #require(catalog.product(source: "gumroad", productID: "12345"))
        #expect(numeric == ProductEntry(source: "gumroad", productID: "12345", tier: "basic"))

        let lifetime = try #require(catalog.mapping(source: "gumroad", productID: "lifetime-id", variantOptions: []))
        #expect(lifetime == ProductMapping(tier: "pro", name: "Acme Pro — Lifetime Édition", duration: .lifetime))

        #expect(catalog.mapping(source: "stripe", productID: "prod_Nx")?.duration == .months(1))
        #expect(catalog.product(source: "gumroad", productID: "prod_Nx") == nil)
        #expect(catalog.product(source: "paddle", productID: "12345") == nil)
        #expect(catalog.product(source: "gumroad", productID: "abc123xyz==") == nil)
    }

    @Test(
        "variant options override the tier; the first listed option wins",
        arguments: [
            ([String](), "pro", String?.none),
            (["Solo"], "pro", nil),
            (["Team"], "team", "Team"),
            (["Solo", "Team"], "team", "Team"),
            (["Site License", "Team"], "enterprise", "Site License"),
            (["Team", "Site License"], "team", "Team"),
            (["team"], "pro", nil),
        ]
    )
    func variantOverride(options: [String], tier: String, matched: String?) throws {
        let catalog = try ProductCatalog(yaml: Self.example)
        let mapping = try #require(
            catalog.mapping(source: "gumroad", productID: "AbC123xyz==", variantOptions: options))
        #expect(mapping.tier == tier)
        #expect(mapping.variantOption == matched)
        #expect(mapping.duration == .days(365))
        #expect(mapping.name == "Acme Pro")
    }

    @Test("a product without a duration takes the default; without defaults the default is 1y")
    func defaultDuration() throws {
        let withDefaults = try ProductCatalog(yaml: "defaults:\n  duration: 30d\ngumroad:\n  p:\n    tier: pro\n")
        #expect(withDefaults.defaultDuration == .days(30))
        #expect(withDefaults.mapping(source: "gumroad", productID: "p")?.duration == .days(30))
        #expect(withDefaults.product(source: "gumroad", productID: "p")?.duration == nil)

        let without = try ProductCatalog(yaml: "gumroad:\n  p:\n    tier: pro\n")
        #expect(without.defaultDuration == .years(1))
        #expect(without.mapping(source: "gumroad", productID: "p")?.duration == .years(1))

        let emptyDefaults = try ProductCatalog(yaml: "defaults:\ngumroad:\n  p: {tier: pro}\n")
        #expect(emptyDefaults.defaultDuration == .years(1))
    }

    @Test(
        "empty and comment-only files give an empty catalog",
        arguments: ["", "\n\n", "# nothing yet\n", "---\n", "--- ~\n", "null\n", "---\n...\n", "\u{FEFF}"]
    )
    func emptyFile(yaml: String) throws {
        let catalog = try ProductCatalog(yaml: yaml)
        #expect(catalog.sources.isEmpty)
        #expect(catalog.defaultDuration == .years(1))
        #expect(catalog.mapping(source: "gumroad", productID: "x") == nil)
    }

    @Test(
        "product ids are taken verbatim as strings",
        arguments: [
            ("12345", "12345"), ("0x1F", "0x1F"), ("1.50", "1.50"), ("1_000", "1_000"), ("true", "true"),
            ("\"007\"", "007"), ("'AbC123xyz=='", "AbC123xyz=="), ("\"a b\"", "a b"), ("AbC+/9==", "AbC+/9=="),
            ("2024-01-01", "2024-01-01"), ("~x", "~x"),
        ]
    )
    func productIDs(written: String, id: String) throws {
        let catalog = try ProductCatalog(yaml: "gumroad:\n  \(written):\n    tier: pro\n")
        #expect(catalog.product(source: "gumroad", productID: id)?.tier == "pro")
    }

    @Test("flow style, CRLF line endings, a UTF-8 BOM, anchors without aliases and an explicit document all work")
    func otherSpellings() throws {
        let flow = try ProductCatalog(yaml: #"{gumroad: {"a==": {tier: pro, variants: {Team: team}}}}"#)
        #expect(flow.mapping(source: "gumroad", productID: "a==", variantOptions: ["Team"])?.tier == "team")

        let crlf = try ProductCatalog(yaml: "\u{FEFF}gumroad:\r\n  p:\r\n    tier: pro\r\n    name: N\r\n")
        #expect(crlf.product(source: "gumroad", productID: "p")?.name == "N")

        let anchored = try ProductCatalog(yaml: "---\ngumroad:\n  p: &base\n    tier: pro\n...\n")
        #expect(anchored.product(source: "gumroad", productID: "p")?.tier == "pro")

        let numericTier = try ProductCatalog(yaml: "gumroad:\n  p:\n    tier: 2\n    variants:\n      Team: 3\n")
        #expect(numericTier.mapping(source: "gumroad", productID: "p", variantOptions: ["Team"])?.tier == "3")
    }

    @Test("empty sections, a null name and null variants are allowed")
    func nulls() throws {
        let catalog = try ProductCatalog(
            yaml: "gumroad:\nstripe: ~\npaddle:\n  p:\n    tier: pro\n    name:\n    variants: null\n")
        #expect(catalog.sources == ["gumroad", "paddle", "stripe"])
        #expect(catalog.products(source: "gumroad").isEmpty)
        #expect(
            catalog.product(source: "paddle", productID: "p")
                == ProductEntry(
                    source: "paddle", productID: "p", tier: "pro"))
    }

    @Test("an empty catalog can be built in code")
    func emptyInit() {
        #expect(ProductCatalog().defaultDuration == ProductCatalog.fallbackDuration)
        #expect(ProductCatalog().sources.isEmpty)
    }
}
