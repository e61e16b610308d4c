import FoundationEssentials
import Glibc
import Licensor
import Testing

/// A fresh directory under /tmp, removed when the test ends.
final class ProductsTestDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/licensor-products-test.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw ProductsFileError(code: .unreadable, file: "/tmp", problem: "mkdtemp failed")
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the directory and returns the full path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = "\(path)/\(name)"
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
            throw ProductsFileError(code: .unreadable, file: file, problem: "could not write test file")
        }
        return file
    }
}

@Suite("ProductCatalog files")
struct ProductCatalogFileTests {
    @Test("loads a file from disk by path")
    func loadsFromDisk() throws {
        let directory = try ProductsTestDirectory()
        let path = try directory.write(
            "products.yaml", Array("defaults:\n  duration: 6m\ngumroad:\n  \"AbC123xyz==\":\n    tier: pro\n".utf8))
        let catalog = try ProductCatalog.load(path: path)
        #expect(
            catalog.mapping(source: "gumroad", productID: "AbC123xyz==")
                == ProductMapping(tier: "pro", name: nil, duration: .months(6)))
    }

    @Test("errors in a loaded file name the path and the line")
    func errorNamesPath() throws {
        let directory = try ProductsTestDirectory()
        let path = try directory.write(
            "products.yaml", Array("gumroad:\n  abc:\n    tier: pro\n    duration: 1w\n".utf8))
        #expect(throws: ProductsFileError.self) { try ProductCatalog.load(path: path) }
        do {
            _ = try ProductCatalog.load(path: path)
        } catch {
            #expect(error.description == "\(path):4:15: duration \"1w\" is not Nd, Nm, Ny or lifetime")
        }
    }

    @Test("a missing file is a clear error naming the file")
    func missingFile() throws {
        let directory = try ProductsTestDirectory()
        let path = "\(directory.path)/missing.yaml"
        do {
            _ = try ProductCatalog.load(path: path)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .unreadable)
            #expect(error.systemErrno == ENOENT)
            #expect(error.line == nil)
            #expect(error.description == "\(path): cannot open the products file: No such file or directory")
        }
    }

    @Test("a directory is refused")
    func directoryIsRefused() throws {
        let directory = try ProductsTestDirectory()
        #expect {
            try ProductCatalog.load(path: directory.path)
        } throws: { error in
            (error as? ProductsFileError)?.code == .unreadable
        }
    }

    @Test("a file over 1 MiB is refused; exactly 1 MiB is read")
    func oversizeFile() throws {
        let directory = try ProductsTestDirectory()
        let line = Array("# padding padding padding padding padding padding padding padding padding padding\n".utf8)
        var content = Array("gumroad:\n  p: {tier: pro}\n".utf8)
        while content.count + line.count <= ProductCatalog.maximumFileSize {
            content += line
        }
        content += Array(repeating: UInt8(ascii: "\n"), count: ProductCatalog.maximumFileSize - content.count)
        #expect(content.count == 1 << 20)
        let limitPath = try directory.write("limit.yaml", content)
        #expect(try ProductCatalog.load(path: limitPath).product(source: "gumroad", productID: "p")?.tier == "pro")

        let bigPath = try directory.write("big.yaml", content + [UInt8(ascii: "\n")])
        do {
            _ = try ProductCatalog.load(path: bigPath)
            Issue.record("loaded an oversize file")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.description.hasPrefix("\(bigPath): "))
        }
        #expect {
            try ProductCatalog(yaml: String(repeating: "#", count: (1 << 20) + 1))
        } throws: { error in
            (error as? ProductsFileError)?.code == .tooLarge
        }
    }

    @Test("invalid UTF-8 is a syntax error with its line")
    func invalidUTF8() throws {
        let directory = try ProductsTestDirectory()
        let path = try directory.write("bad.yaml", Array("gumroad:\n  abc:\n    tier: p".utf8) + [0xFF, 0x0A])
        do {
            _ = try ProductCatalog.load(path: path)
            Issue.record("loaded invalid UTF-8")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.description == "\(path):3:12: invalid YAML text: invalid leading UTF-8 octet (0xFF)")
        }
    }

    @Test("the shipped config/products.yaml parses and maps the demo products")
    func shippedDefaultFile() throws {
        let testFile = "\(#filePath)"
        let root = try #require(testFile.firstRange(of: "/Tests/LicensorTests/")).lowerBound
        let path = String(testFile[..<root]) + "/" + ProductCatalog.defaultPath
        let catalog = try ProductCatalog.load(path: path)
        #expect(catalog.defaultDuration == .years(1))
        #expect(
            catalog.mapping(source: "gumroad", productID: "demo-product-id")
                == ProductMapping(tier: "pro", name: "Acme Pro", duration: .years(1)))
        #expect(
            catalog.mapping(source: "gumroad", productID: "demo-product-id", variantOptions: ["Team"])
                == ProductMapping(tier: "team", name: "Acme Pro", duration: .years(1), variantOption: "Team"))
        #expect(
            catalog.mapping(source: "gumroad", productID: "demo-lifetime-id")
                == ProductMapping(tier: "pro", name: nil, duration: .lifetime))
    }
}
