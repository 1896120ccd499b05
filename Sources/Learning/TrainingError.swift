/// Why local training or evaluation could not run.
public enum TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfiguration(String)
    case model(ModelError)
    case nonFiniteParameters
    case featureCountMismatch(modelInputs: Int, dataFeatures: Int)
    case labelOutOfRange(label: UInt8, classes: Int)
    case emptyDataSet
    case diverged(epoch: Int)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message):
            "training configuration: \(message)"
        case let .model(error):
            error.description
        case .nonFiniteParameters:
            "model parameters contain NaN or infinite values"
        case let .featureCountMismatch(modelInputs, dataFeatures):
            "model expects \(modelInputs) input features but the data has \(dataFeatures)"
        case let .labelOutOfRange(label, classes):
            "label \(label) is outside the model's \(classes) classes"
        case .emptyDataSet:
            "the data set has no examples"
        case let .diverged(epoch):
            "training diverged in epoch \(epoch): the loss or weights became NaN or infinite (lower the learning rate)"
        }
    }
}
