extension ProductCatalog {
    /// Parses and validates products-file text; `fileName` is only used in error messages.
    package init(yaml: String, fileName: String = "products.yaml") throws(ProductsFileError) {
        try self.init(bytes: Array(yaml.utf8), fileName: fileName)
    }

    /// Parses and validates products-file bytes, which libyaml decodes (UTF-8, or UTF-16 with a BOM).
    init(bytes: [UInt8], fileName: String) throws(ProductsFileError) {
        guard bytes.count <= Self.maximumFileSize else {
            throw ProductsFileError(
                code: .tooLarge,
                file: fileName,
                problem: "the products file is \(bytes.count) bytes; the limit is \(Self.maximumFileSize) (1 MiB)"
            )
        }
        let root = try YAMLTreeReader.read(bytes, fileName: fileName)
        self = try ProductsFileValidator(fileName: fileName).catalog(from: root)
    }
}

/// Checks a parsed products file against the format and builds the catalog, reporting the first mistake with its
/// line and column.
private struct ProductsFileValidator {
    /// The keys a product may have; anything else is reported, which catches typos such as `teir`.
    static let productKeys: Set<String> = ["tier", "name", "duration", "variants", "activations", "deactivations"]
    /// The storefront sections: one per storefront licensor takes webhooks from.
    static let sections = Set(StorefrontRegistry.standard.adapters.map(\.source))
    /// The keys `defaults` may have.
    static let defaultsKeys: Set<String> = ["duration"]

    let fileName: String

    func catalog(from root: YAMLNode?) throws(ProductsFileError) -> ProductCatalog {
        guard let root, !root.isNull else {
            return ProductCatalog()
        }
        guard case .mapping = root.kind else {
            throw failure(
                .wrongType, root.mark,
                "the top level must be a mapping of sections (defaults, gumroad, …), found \(root.kindName)")
        }
        var defaultDuration = ProductCatalog.fallbackDuration
        var entries: [String: [String: ProductEntry]] = [:]
        for (name, keyNode, value) in try pairs(of: root, keyNoun: "section") {
            if name == "defaults" {
                defaultDuration = try defaults(from: value) ?? defaultDuration
            } else if !Self.sections.contains(name) {
                // A misspelt storefront would leave every one of its sales unmapped.
                throw failure(
                    .unknownKey, keyNode.mark,
                    "unknown section \(productsFileQuoted(name)) (sections: defaults, "
                        + Self.sections.sorted().joined(separator: ", ") + ")")
            } else {
                entries[name] = try section(named: name, from: value, keyMark: keyNode.mark)
            }
        }
        return ProductCatalog(defaultDuration: defaultDuration, entries: entries)
    }

    private func defaults(from node: YAMLNode) throws(ProductsFileError) -> LicenseDuration? {
        if node.isNull {
            return nil
        }
        guard case .mapping = node.kind else {
            throw failure(.wrongType, node.mark, "defaults must be a mapping (duration: 1y), found \(node.kindName)")
        }
        var duration: LicenseDuration?
        for (key, keyNode, value) in try pairs(of: node, keyNoun: "key") {
            guard Self.defaultsKeys.contains(key) else {
                throw failure(
                    .unknownKey, keyNode.mark, "unknown key \(productsFileQuoted(key)) in defaults (allowed: duration)")
            }
            duration = try parseDuration(value, field: "defaults.duration")
        }
        return duration
    }

    private func section(
        named source: String,
        from node: YAMLNode,
        keyMark: YAMLMark
    ) throws(ProductsFileError) -> [String: ProductEntry] {
        if node.isNull {
            return [:]
        }
        guard case .mapping = node.kind else {
            throw failure(
                .wrongType, node.mark,
                "section \(productsFileQuoted(source)) must be a mapping of product ids, found \(node.kindName)")
        }
        var products: [String: ProductEntry] = [:]
        for (productID, keyNode, value) in try pairs(of: node, keyNoun: "product id", in: source) {
            products[productID] = try product(productID, source: source, from: value, keyMark: keyNode.mark)
        }
        return products
    }

    private func product(
        _ productID: String,
        source: String,
        from node: YAMLNode,
        keyMark: YAMLMark
    ) throws(ProductsFileError) -> ProductEntry {
        let label = "product \(productsFileQuoted(productID))"
        if node.isNull {
            throw failure(.missingField, keyMark, "\(label) has no tier (add `tier: …` under it)")
        }
        guard case .mapping = node.kind else {
            throw failure(
                .wrongType, node.mark, "\(label) must be a mapping with at least a tier, found \(node.kindName)")
        }
        var tier: String?
        var name: String?
        var duration: LicenseDuration?
        var variants: [String: String] = [:]
        var seats = SeatPolicy()
        for (key, keyNode, value) in try pairs(of: node, keyNoun: "key", in: label) {
            switch key {
            case "tier":
                tier = try requiredString(value, field: "tier of \(label)")
            case "name":
                name = try optionalString(value, field: "name of \(label)")
            case "duration":
                duration = try parseDuration(value, field: "duration")
            case "variants":
                variants = try parseVariants(value, label: label)
            case "activations":
                seats.limit = try parseCount(value, field: "activations of \(label)")
            case "deactivations":
                (seats.deactivationLimit, seats.deactivationWindow) = try parseBudget(
                    value, field: "deactivations of \(label)")
            default:
                throw failure(
                    .unknownKey, keyNode.mark,
                    "unknown key \(productsFileQuoted(key)) in \(label) (allowed: tier, name, duration, variants, "
                        + "activations, deactivations)")
            }
        }
        guard let tier else {
            throw failure(.missingField, keyMark, "\(label) has no tier (add `tier: …` under it)")
        }
        return ProductEntry(
            source: source, productID: productID, tier: tier, name: name, duration: duration, variants: variants,
            seats: seats)
    }

    /// A whole number of seats from 0 to 1,000,000.
    private func parseCount(_ node: YAMLNode, field: String) throws(ProductsFileError) -> Int {
        let text = try requiredString(node, field: field)
        guard let count = Int(text), (0...1_000_000).contains(count) else {
            throw failure(
                .invalidValue, node.mark,
                "\(field) must be a whole number from 0 to 1000000, not \(productsFileQuoted(text))")
        }
        return count
    }

    /// `N/Dd`: at most N deactivations per D days, e.g. `3/30d`.
    private func parseBudget(_ node: YAMLNode, field: String) throws(ProductsFileError) -> (Int, Duration) {
        let text = try requiredString(node, field: field)
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), (0...1_000_000).contains(count), parts[1].hasSuffix("d"),
            let days = Int(parts[1].dropLast()), (1...3650).contains(days)
        else {
            throw failure(
                .invalidValue, node.mark,
                "\(field) must look like 3/30d (deactivations per days), not \(productsFileQuoted(text))")
        }
        return (count, .seconds(days * 86_400))
    }

    private func parseVariants(_ node: YAMLNode, label: String) throws(ProductsFileError) -> [String: String] {
        if node.isNull {
            return [:]
        }
        guard case .mapping = node.kind else {
            throw failure(
                .wrongType, node.mark,
                "variants of \(label) must map variant option names to tiers, found \(node.kindName)")
        }
        var variants: [String: String] = [:]
        for (option, _, value) in try pairs(of: node, keyNoun: "variant option", in: "variants of \(label)") {
            variants[option] = try requiredString(value, field: "tier of variant \(productsFileQuoted(option))")
        }
        return variants
    }

    private func parseDuration(_ node: YAMLNode, field: String) throws(ProductsFileError) -> LicenseDuration {
        guard let text = try optionalString(node, field: field), !text.isEmpty else {
            throw failure(.invalidValue, node.mark, "\(field) is empty; write Nd, Nm, Ny or lifetime")
        }
        do {
            return try LicenseDuration(parsing: text)
        } catch {
            throw failure(.invalidValue, node.mark, "\(field) \(error.problem)")
        }
    }

    /// A string that must be present and not blank.
    private func requiredString(_ node: YAMLNode, field: String) throws(ProductsFileError) -> String {
        guard let text = try optionalString(node, field: field),
            text.contains(where: { !$0.isWhitespace })
        else {
            throw failure(.missingField, node.mark, "\(field) is empty")
        }
        return text
    }

    /// A scalar's text, nil for null; collections are refused.
    private func optionalString(_ node: YAMLNode, field: String) throws(ProductsFileError) -> String? {
        switch node.kind {
        case .scalar(let text, _):
            return node.isNull ? nil : text
        case .sequence, .mapping:
            throw failure(.wrongType, node.mark, "\(field) must be a string, found \(node.kindName)")
        }
    }

    /// A mapping's pairs with string keys, refusing collection keys, empty keys and duplicates.
    private func pairs(
        of node: YAMLNode,
        keyNoun: String,
        in container: String? = nil
    ) throws(ProductsFileError) -> [(String, YAMLNode, YAMLNode)] {
        guard case .mapping(let pairs) = node.kind else {
            return []
        }
        let place = container.map { " in \($0)" } ?? ""
        var seen: [String: YAMLMark] = [:]
        var result: [(String, YAMLNode, YAMLNode)] = []
        result.reserveCapacity(pairs.count)
        for (keyNode, value) in pairs {
            guard case .scalar(let key, _) = keyNode.kind else {
                throw failure(
                    .wrongType, keyNode.mark, "a \(keyNoun)\(place) must be a string, found \(keyNode.kindName)")
            }
            guard !key.isEmpty else {
                throw failure(.invalidValue, keyNode.mark, "empty \(keyNoun)\(place)")
            }
            if let first = seen[key] {
                throw failure(
                    .duplicateKey, keyNode.mark,
                    "duplicate \(keyNoun) \(productsFileQuoted(key))\(place) (first at line \(first.line))")
            }
            seen[key] = keyNode.mark
            result.append((key, keyNode, value))
        }
        return result
    }

    private func failure(_ code: ProductsFileError.Code, _ mark: YAMLMark, _ problem: String) -> ProductsFileError {
        ProductsFileError(code: code, file: fileName, line: mark.line, column: mark.column, problem: problem)
    }
}
