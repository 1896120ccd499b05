/// Why a tensor's shape and values do not fit together.
public enum TensorError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidShape(name: String, shape: [Int])
    case valueCountMismatch(name: String, shape: [Int], expected: Int, actual: Int)
    case duplicateName(String)
    case nonFiniteValues(name: String)

    public var description: String {
        switch self {
        case let .invalidShape(name, shape):
            "tensor '\(name)': shape \(shape) has a negative dimension or too many elements"
        case let .valueCountMismatch(name, shape, expected, actual):
            "tensor '\(name)': shape \(shape) needs \(expected) values but has \(actual)"
        case let .duplicateName(name):
            "tensor name '\(name)' appears more than once"
        case let .nonFiniteValues(name):
            "tensor '\(name)' contains NaN or infinite values"
        }
    }
}
