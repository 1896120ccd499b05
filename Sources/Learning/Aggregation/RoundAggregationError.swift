/// Why a round aggregator could not be created, refused an update, or could not finish.
/// A refused update never changes the aggregator's state.
public enum RoundAggregationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration has out-of-range fields (or Krum's `f`/`m` do not fit the round's updates).
    case invalidConfiguration([AggregationFieldError])
    /// The global model the round starts from is inconsistent or not finite.
    case invalidGlobalModel(reason: String)
    /// The server optimizer state does not belong to this model or strategy.
    case stateMismatch(reason: String)
    /// An update's example count must be positive.
    case invalidExampleCount(Int)
    /// An update was refused: wrong layout, inconsistent tensor, NaN or infinity.
    case rejectedUpdate(AggregationError)
    /// `finish()` was called before any update was accepted.
    case noUpdates
    /// The aggregate overflowed float32 in the named tensor.
    case nonFiniteResult(tensor: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(errors):
            "aggregation configuration: " + errors.map(\.description).joined(separator: "; ")
        case let .invalidGlobalModel(reason):
            "aggregation: the global model is unusable: \(reason)"
        case let .stateMismatch(reason):
            "aggregation: the server optimizer state does not fit: \(reason)"
        case let .invalidExampleCount(count):
            "aggregation: an update's example count must be positive, got \(count)"
        case let .rejectedUpdate(error):
            error.description
        case .noUpdates:
            "aggregation: no updates were accepted, so there is nothing to aggregate"
        case let .nonFiniteResult(tensor):
            "aggregation: the aggregate of tensor '\(tensor)' overflowed float32"
        }
    }
}
