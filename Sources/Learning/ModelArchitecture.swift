/// The models Flotilla can train, each a stack of dense layers ending in a softmax over
/// `classes`. Weights are stored `[outputs, inputs]` (PyTorch's `nn.Linear` layout), biases
/// `[outputs]`, and tensors are listed in canonical (name-sorted) order.
public enum ModelArchitecture: Sendable, Hashable, Codable {
    /// One dense layer: tensors "dense.bias", "dense.weight".
    case softmaxRegression(inputs: Int, classes: Int)
    /// Dense → ReLU → dense: tensors "hidden.bias", "hidden.weight", "output.bias", "output.weight".
    case mlp(inputs: Int, hidden: Int, classes: Int)

    public static let mnistSoftmax = ModelArchitecture.softmaxRegression(inputs: 784, classes: 10)
    public static let mnistMLP = ModelArchitecture.mlp(inputs: 784, hidden: 64, classes: 10)
    /// The architecture the demo trains. Softmax regression cannot pass 0.85 with a margin on
    /// the demo's label-skewed shards within 10 FedAvg rounds; this MLP does (see
    /// `TrainingConfiguration.default`).
    public static let demoDefault = mnistMLP

    public var inputs: Int {
        switch self {
        case let .softmaxRegression(inputs, _), let .mlp(inputs, _, _): inputs
        }
    }

    public var classes: Int {
        switch self {
        case let .softmaxRegression(_, classes), let .mlp(_, _, classes): classes
        }
    }

    /// The layers from input to output.
    var layers: [DenseLayerSpec] {
        switch self {
        case let .softmaxRegression(inputs, classes):
            [DenseLayerSpec(name: "dense", inputs: inputs, outputs: classes, appliesReLU: false)]
        case let .mlp(inputs, hidden, classes):
            [
                DenseLayerSpec(name: "hidden", inputs: inputs, outputs: hidden, appliesReLU: true),
                DenseLayerSpec(name: "output", inputs: hidden, outputs: classes, appliesReLU: false),
            ]
        }
    }

    /// Tensor names and shapes in canonical order.
    public var tensorLayout: [(name: String, shape: [Int])] {
        layers.flatMap { layer in
            [(layer.biasName, [max(0, layer.outputs)]), (layer.weightName, [max(0, layer.outputs), max(0, layer.inputs)])]
        }
        .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Total scalar parameters (saturating at `Int.max` for absurd dimensions).
    public var parameterCount: Int {
        layers.reduce(0) { total, layer in
            let (weights, overflow) = max(0, layer.outputs).multipliedReportingOverflow(by: max(0, layer.inputs) &+ 1)
            let (sum, sumOverflow) = total.addingReportingOverflow(weights)
            return overflow || sumOverflow ? Int.max : sum
        }
    }

    /// Every dimension must be positive, there must be at least two classes, and the model
    /// must stay below 2^31 parameters.
    public func validateDimensions() throws(ModelError) {
        guard classes >= 2 else { throw .invalidDimensions("classes must be at least 2, got \(classes)") }
        for layer in layers where layer.inputs < 1 || layer.outputs < 1 {
            throw .invalidDimensions("layer '\(layer.name)' must have positive sizes, got \(layer.inputs) → \(layer.outputs)")
        }
        guard layers.allSatisfy({ $0.inputs <= 1 << 24 && $0.outputs <= 1 << 24 }), parameterCount < 1 << 31 else {
            throw .invalidDimensions("model is too large (\(layers.map { "\($0.inputs)→\($0.outputs)" }))")
        }
    }

    /// Deterministic starting weights. Softmax regression starts at zero (its loss is convex);
    /// the MLP draws He-uniform hidden weights and Glorot-uniform output weights so ReLU units
    /// start alive and symmetric units differ. Biases start at zero. Invalid dimensions (see
    /// `validateDimensions()`) yield no tensors, which `validate(_:)` then rejects.
    public func initialParameters(seed: UInt64) -> ModelParameters {
        guard (try? validateDimensions()) != nil else { return ModelParameters(tensors: []) }
        var generator = SeededGenerator(seed: seed)
        var tensors: [Tensor] = []
        for layer in layers {
            let (outputs, inputs) = (layer.outputs, layer.inputs)
            let bound: Float = switch (self, layer.appliesReLU) {
            case (.softmaxRegression, _): 0
            case (.mlp, true): (6 / Float(max(inputs, 1))).squareRoot()
            case (.mlp, false): (6 / Float(max(inputs + outputs, 1))).squareRoot()
            }
            let weights = (0..<outputs * inputs).map { _ in bound == 0 ? 0 : generator.nextFloat(in: -bound, bound) }
            tensors.append(Tensor(name: layer.weightName, shape: [outputs, inputs], values: weights))
            tensors.append(Tensor(name: layer.biasName, shape: [outputs], values: [Float](repeating: 0, count: outputs)))
        }
        return ModelParameters(tensors: tensors).sortedByName()
    }

    /// Throws unless `parameters` has exactly this architecture's tensors, in canonical order,
    /// each with a value count matching its shape.
    public func validate(_ parameters: ModelParameters) throws(ModelError) {
        try validateDimensions()
        let expected = tensorLayout
        guard expected.count == parameters.tensors.count else {
            throw .tensorCountMismatch(expected: expected.map(\.name), found: parameters.tensors.map(\.name))
        }
        for (index, (layout, tensor)) in zip(expected, parameters.tensors).enumerated() {
            guard layout.name == tensor.name, layout.shape == tensor.shape else {
                throw .tensorMismatch(
                    index: index, expectedName: layout.name, expectedShape: layout.shape,
                    foundName: tensor.name, foundShape: tensor.shape)
            }
            do { try tensor.validate() } catch { throw .inconsistentTensor(error) }
        }
    }
}

/// One dense layer of an architecture: `outputs = W·inputs + b`, optionally followed by ReLU.
struct DenseLayerSpec: Hashable {
    var name: String
    var inputs: Int
    var outputs: Int
    var appliesReLU: Bool

    var weightName: String { "\(name).weight" }
    var biasName: String { "\(name).bias" }
}
