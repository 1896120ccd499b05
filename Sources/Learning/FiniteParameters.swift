/// Model parameters known to hold no NaN or infinity: the proof travels with the values, so
/// `RoundAggregator.add(_:examples:)` can skip its own read of every value.
///
/// Only code that has looked at every value makes one (`SafeTensors.decodeFinite`, which checks
/// during the copy it makes anyway, or `init(checking:)`). The values cannot be changed in
/// place: a changed copy is plain `ModelParameters` again and has to be checked again.
public struct FiniteParameters: Sendable, Hashable {
    public let parameters: ModelParameters

    /// For callers that have just checked every value themselves.
    package init(alreadyChecked parameters: ModelParameters) {
        self.parameters = parameters
    }

    /// Hands the parameters over without a copy when this value is their only owner.
    package consuming func take() -> ModelParameters {
        parameters
    }

    /// Checks every value (one vectorised read); throws the first tensor holding NaN or infinity.
    public init(checking parameters: ModelParameters) throws(TensorError) {
        for tensor in parameters.tensors where !UpdateCheck.allFinite(tensor.values) {
            throw .nonFiniteValues(name: tensor.name)
        }
        self.parameters = parameters
    }
}
