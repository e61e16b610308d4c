/// The name a license carries when the storefront sent none.
package enum BuyerName {
    /// A readable name from an email's local part: `jane.doe+gumroad@example.com` → `Jane Doe`.
    package static func fromEmail(_ email: String) -> String {
        let withoutTag = email.prefix { $0 != "@" }.prefix { $0 != "+" }
        let words = withoutTag.split { $0 == "." || $0 == "_" || $0 == "-" }.filter { !$0.isEmpty }
        let name = words.map { word in word.prefix(1).uppercased() + word.dropFirst().lowercased() }
            .joined(separator: " ")
        return name.isEmpty ? email : name
    }
}
