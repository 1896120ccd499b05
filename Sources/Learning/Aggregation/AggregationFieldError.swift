/// One invalid field of an aggregation configuration: which one, and what is wrong with it.
/// `field` is relative to the configuration (`strategy.beta`, `clipNorm`), so a caller that
/// embeds it in a larger document prefixes its own path.
public struct AggregationFieldError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}
