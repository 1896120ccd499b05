/// The weights of one model: an ordered list of named tensors.
///
/// The canonical order is sorted by name; `SafeTensors.decode` and
/// `ModelArchitecture.initialParameters(seed:)` both produce it, and layout comparisons are
/// order-sensitive so that element-wise arithmetic can walk two models in step.
public struct ModelParameters: Sendable, Hashable, Codable {
    public var tensors: [Tensor]

    public init(tensors: [Tensor]) {
        self.tensors = tensors
    }

    /// Total number of scalar parameters across all tensors.
    public var parameterCount: Int {
        tensors.reduce(0) { $0 + $1.values.count }
    }

    /// Size of the raw float32 data, without any file header.
    public var byteCount: Int {
        parameterCount * MemoryLayout<Float>.size
    }

    /// True when no value in any tensor is NaN or infinite.
    public var allFinite: Bool {
        tensors.allSatisfy(\.allFinite)
    }

    /// True when every tensor's shape matches its value count.
    public var isConsistent: Bool {
        tensors.allSatisfy(\.isConsistent)
    }

    /// True when both models have the same tensor names and shapes, in the same order.
    public func hasSameLayout(as other: ModelParameters) -> Bool {
        guard tensors.count == other.tensors.count else { return false }
        return zip(tensors, other.tensors).allSatisfy { $0.name == $1.name && $0.shape == $1.shape }
    }

    /// The tensor with the given name, if present.
    public func tensor(named name: String) -> Tensor? {
        tensors.first { $0.name == name }
    }

    /// The same tensors in the canonical order (sorted by the UTF-8 bytes of their names).
    public func sortedByName() -> ModelParameters {
        ModelParameters(tensors: tensors.sorted(by: Tensor.canonicallyPrecedes))
    }

    /// Checks every tensor's shape against its value count and that names are unique.
    public func validate() throws(TensorError) {
        var seen = Set<String>()
        for tensor in tensors {
            try tensor.validate()
            guard seen.insert(tensor.name).inserted else { throw TensorError.duplicateName(tensor.name) }
        }
    }
}
