import Foundation

/// One problem found while validating a document, addressed by its field path
/// (for example `spec.client.placement.predicates[0].requiredClusterSelector.labelSelector`).
public struct FieldError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Dotted path of the offending field, with `[index]` for list elements.
    public var field: String
    /// What is wrong with it, in plain words.
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}
