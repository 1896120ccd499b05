import Foundation

/// One problem found while validating a document, addressed by its field path
/// (for example `spec.client.placement.predicates[0].requiredClusterSelector.labelSelector`).
public struct FieldError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Dotted path of the offending field, with `[index]` for list elements.
    public var field: String
    /// What is wrong with it, in plain words.
    public var problem: String

    /// Control characters in either text are shown escaped (`\u{0}`): errors are logged,
    /// published and stored, and quote the very text that was refused for holding them.
    public init(field: String, problem: String) {
        self.field = TextFields.escaped(field)
        self.problem = TextFields.escaped(problem)
    }

    public var description: String { "\(field): \(problem)" }
}
