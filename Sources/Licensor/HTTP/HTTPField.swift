/// One name/value pair of a header list or a query string, in the order received.
///
/// A struct (not a tuple) so the lists holding it are `Equatable` by synthesis: a new field can never be left out of
/// a hand-written `==`.
package struct HTTPField: Sendable, Equatable {
    package var name: String
    package var value: String

    /// Creates a field.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
