/// A named, dense float32 tensor stored row-major (the last dimension varies fastest).
///
/// The memberwise initialiser never traps, so a tensor may be inconsistent (shape and value
/// count disagree); use `validated(name:shape:values:)` or check `isConsistent` before use.
public struct Tensor: Sendable, Hashable, Codable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// A tensor of the given shape with every element set to `value`.
    public init(name: String, shape: [Int], repeating value: Float) throws(TensorError) {
        guard let count = Tensor.elementCount(of: shape) else {
            throw TensorError.invalidShape(name: name, shape: shape)
        }
        self.init(name: name, shape: shape, values: [Float](repeating: value, count: count))
    }

    /// A tensor that is known to be consistent, or an error naming what is wrong.
    public static func validated(name: String, shape: [Int], values: [Float]) throws(TensorError) -> Tensor {
        let tensor = Tensor(name: name, shape: shape, values: values)
        try tensor.validate()
        return tensor
    }

    /// The number of elements the shape describes (1 for a scalar, shape `[]`), or nil when a
    /// dimension is negative or the product overflows.
    public static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// True when the shape is valid and describes exactly `values.count` elements.
    public var isConsistent: Bool {
        Tensor.elementCount(of: shape) == values.count
    }

    /// True when no value is NaN or infinite.
    public var allFinite: Bool {
        values.withUnsafeBufferPointer { VectorKernels.allFinite($0) }
    }

    public func validate() throws(TensorError) {
        guard let expected = Tensor.elementCount(of: shape) else {
            throw TensorError.invalidShape(name: name, shape: shape)
        }
        guard expected == values.count else {
            throw TensorError.valueCountMismatch(name: name, shape: shape, expected: expected, actual: values.count)
        }
    }
}
