/// A working copy of a dense stack's weights plus scratch space for one mini-batch, all
/// allocated once up front so the training loop never allocates.
///
/// This is a class only to own raw buffers (freed in `deinit`); it never escapes the
/// function that creates it and is not shared across threads. Raw pointers avoid array
/// exclusivity checks and copy-on-write tests in the innermost loops.
final class DenseNetwork {
    struct Layer {
        let spec: DenseLayerSpec
        /// `outputs × inputs`, row-major (one row per output unit).
        let weights: UnsafeMutablePointer<Float>
        let biases: UnsafeMutablePointer<Float>
        /// Post-activation outputs for the batch, `batchCapacity × outputs`; the last layer
        /// holds logits after `forward` and probabilities after `softmaxCrossEntropy`.
        let activations: UnsafeMutablePointer<Float>
        /// ∂loss/∂(pre-activation) for the batch, `batchCapacity × outputs`.
        let deltas: UnsafeMutablePointer<Float>
        /// FedProx anchor: the round's starting weights, present only when μ > 0.
        let anchorWeights: UnsafeMutablePointer<Float>?
        let anchorBiases: UnsafeMutablePointer<Float>?
    }

    let layers: [Layer]
    let batchCapacity: Int
    let inputCount: Int
    let classCount: Int
    /// The current batch's input rows, `batchCapacity × inputCount`.
    let input: UnsafeMutablePointer<Float>
    let batchLabels: UnsafeMutablePointer<UInt8>
    /// One column of `deltas`, gathered contiguously for the weight-update kernel.
    let column: UnsafeMutablePointer<Float>

    /// `parameters` must already have passed `architecture.validate(_:)`.
    init(architecture: ModelArchitecture, parameters: ModelParameters, batchCapacity: Int, keepsAnchor: Bool) {
        self.batchCapacity = batchCapacity
        inputCount = architecture.inputs
        classCount = architecture.classes
        input = .allocateZeroed(batchCapacity * architecture.inputs)
        batchLabels = .allocate(capacity: batchCapacity)
        batchLabels.initialize(repeating: 0, count: batchCapacity)
        column = .allocateZeroed(batchCapacity)
        layers = architecture.layers.map { spec in
            let weights = parameters.tensor(named: spec.weightName)?.values ?? []
            let biases = parameters.tensor(named: spec.biasName)?.values ?? []
            return Layer(
                spec: spec,
                weights: .allocateCopy(of: weights, count: spec.outputs * spec.inputs),
                biases: .allocateCopy(of: biases, count: spec.outputs),
                activations: .allocateZeroed(batchCapacity * spec.outputs),
                deltas: .allocateZeroed(batchCapacity * spec.outputs),
                anchorWeights: keepsAnchor ? .allocateCopy(of: weights, count: spec.outputs * spec.inputs) : nil,
                anchorBiases: keepsAnchor ? .allocateCopy(of: biases, count: spec.outputs) : nil)
        }
    }

    deinit {
        input.deallocate()
        batchLabels.deallocate()
        column.deallocate()
        for layer in layers {
            for buffer in [layer.weights, layer.biases, layer.activations, layer.deltas, layer.anchorWeights, layer.anchorBiases] {
                buffer?.deallocate()
            }
        }
    }

    /// The current weights as model parameters, in canonical order.
    func parameters() -> ModelParameters {
        var tensors: [Tensor] = []
        for layer in layers {
            let spec = layer.spec
            tensors.append(Tensor(
                name: spec.weightName, shape: [spec.outputs, spec.inputs],
                values: Array(UnsafeBufferPointer(start: layer.weights, count: spec.outputs * spec.inputs))))
            tensors.append(Tensor(
                name: spec.biasName, shape: [spec.outputs],
                values: Array(UnsafeBufferPointer(start: layer.biases, count: spec.outputs))))
        }
        return ModelParameters(tensors: tensors).sortedByName()
    }

    /// True when every weight and bias is finite.
    var weightsAreFinite: Bool {
        layers.allSatisfy { layer in
            VectorKernels.allFinite(UnsafeBufferPointer(start: layer.weights, count: layer.spec.outputs * layer.spec.inputs))
                && VectorKernels.allFinite(UnsafeBufferPointer(start: layer.biases, count: layer.spec.outputs))
        }
    }

    /// Copies the rows at `indices` (at most `batchCapacity`) and their labels into the batch.
    func loadBatch(pixels: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, indices: UnsafeBufferPointer<Int>) {
        for (row, example) in indices.enumerated() {
            (input + row * inputCount).update(from: pixels + example * inputCount, count: inputCount)
            batchLabels[row] = labels[example]
        }
    }

    /// Copies `batchSize` consecutive rows starting at `first` (evaluation needs no shuffle).
    func loadBatch(pixels: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, first: Int, batchSize: Int) {
        input.update(from: pixels + first * inputCount, count: batchSize * inputCount)
        batchLabels.update(from: labels + first, count: batchSize)
    }
}

extension UnsafeMutablePointer<Float> {
    static func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
        return pointer
    }

    /// A copy of `values`, zero-padded (or truncated) to `count` elements.
    static func allocateCopy(of values: [Float], count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = allocateZeroed(count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: Swift.min(count, source.count)) }
        }
        return pointer
    }
}
