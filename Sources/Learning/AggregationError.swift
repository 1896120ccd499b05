/// Why an update was refused by, or an average could not be taken from, an accumulator.
public enum AggregationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidWeight(Double)
    case layoutMismatch(reason: String)
    case inconsistentTensor(TensorError)
    case nonFiniteValues(tensor: String)
    case noUpdates
    case nonFiniteAverage(tensor: String)

    public var description: String {
        switch self {
        case let .invalidWeight(weight):
            "aggregation: update weight \(weight) must be positive and finite"
        case let .layoutMismatch(reason):
            "aggregation: update does not match the model layout: \(reason)"
        case let .inconsistentTensor(error):
            "aggregation: \(error)"
        case let .nonFiniteValues(tensor):
            "aggregation: update tensor '\(tensor)' contains NaN or infinite values"
        case .noUpdates:
            "aggregation: no updates were added, so there is nothing to average"
        case let .nonFiniteAverage(tensor):
            "aggregation: the weighted sum of tensor '\(tensor)' overflowed float32"
        }
    }
}
