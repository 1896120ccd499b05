/// Why a set of parameters does not fit a model architecture.
public enum ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidDimensions(String)
    case tensorCountMismatch(expected: [String], found: [String])
    case tensorMismatch(index: Int, expectedName: String, expectedShape: [Int], foundName: String, foundShape: [Int])
    case inconsistentTensor(TensorError)

    public var description: String {
        switch self {
        case let .invalidDimensions(message):
            "model architecture: \(message)"
        case let .tensorCountMismatch(expected, found):
            "model parameters: expected tensors \(expected), found \(found)"
        case let .tensorMismatch(index, expectedName, expectedShape, foundName, foundShape):
            "model parameters: tensor \(index) should be '\(expectedName)' with shape \(expectedShape), "
                + "found '\(foundName)' with shape \(foundShape)"
        case let .inconsistentTensor(error):
            "model parameters: \(error)"
        }
    }
}
