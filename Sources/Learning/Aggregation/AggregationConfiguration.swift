/// A job's aggregation choice: the strategy and an optional bound on each update's delta.
///
/// JSON: `{"strategy": {"name": "krum", "f": 2}, "clipNorm": 10}`; `clipNorm` may be omitted.
public struct AggregationConfiguration: Codable, Sendable, Hashable {
    public var strategy: AggregationStrategy
    /// When set, each update's delta `update − global` is scaled down to at most this L2 norm
    /// (over all tensors together) before the strategy sees it.
    public var clipNorm: Float?

    public init(strategy: AggregationStrategy = .fedAvg, clipNorm: Float? = nil) {
        self.strategy = strategy
        self.clipNorm = clipNorm
    }

    /// Every invalid field, named; empty when usable.
    public func validate() -> [AggregationFieldError] {
        var errors = strategy.validate()
        if let clipNorm, !(clipNorm.isFinite && clipNorm > 0) {
            errors.append(AggregationFieldError(field: "clipNorm", problem: "must be finite and > 0, got \(clipNorm)"))
        }
        return errors
    }
}
