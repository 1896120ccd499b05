import Foundation

extension DenseNetwork {
    /// Runs the loaded batch through every layer; the last layer's activations are logits.
    func forward(batchSize: Int) {
        var x = UnsafePointer(input)
        for layer in layers {
            DenseKernels.forward(
                x: x, weights: layer.weights, bias: layer.biases, y: layer.activations,
                batch: batchSize, inputs: layer.spec.inputs, outputs: layer.spec.outputs, relu: layer.spec.appliesReLU)
            x = UnsafePointer(layer.activations)
        }
    }

    /// The last layer's logits, `batchCapacity × classCount`, probabilities after `softmaxCrossEntropy`.
    var outputs: UnsafeMutablePointer<Float> { layers[layers.count - 1].activations }

    /// Turns the logits into probabilities in place (max-subtracted, so exp never overflows)
    /// and returns the summed cross-entropy −log p(label) over the batch, computed as
    /// log Σ exp(z − max) − (z_label − max) so a tiny probability never becomes log(0).
    func softmaxCrossEntropy(batchSize: Int) -> Double {
        var total: Double = 0
        for example in 0..<batchSize {
            let row = outputs + example * classCount
            var largest = row[0]
            for index in 1..<classCount { largest = max(largest, row[index]) }
            var sum: Float = 0
            let labelLogit = row[Int(batchLabels[example])]
            for index in 0..<classCount {
                row[index] = exp(row[index] - largest)
                sum += row[index]
            }
            let inverse = 1 / sum
            for index in 0..<classCount { row[index] *= inverse }
            total += Double(log(sum) - (labelLogit - largest))
        }
        return total
    }

    /// Back-propagates the mean cross-entropy of the batch (probabilities must be in
    /// `outputs`) and takes one SGD step, with the FedProx pull towards the anchor if μ > 0.
    func backwardAndStep(batchSize: Int, learningRate: Float, mu: Float) {
        let last = layers[layers.count - 1]
        let scale = 1 / Float(batchSize)
        for example in 0..<batchSize {
            let probabilities = outputs + example * classCount
            let delta = last.deltas + example * classCount
            for index in 0..<classCount { delta[index] = probabilities[index] * scale }
            delta[Int(batchLabels[example])] -= scale
        }
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let x = index == 0 ? UnsafePointer(input) : UnsafePointer(layers[index - 1].activations)
            // The previous layer's deltas need this layer's weights before the step changes them.
            if index > 0 {
                DenseKernels.propagate(
                    deltas: layer.deltas, weights: layer.weights, activations: x, into: layers[index - 1].deltas,
                    batch: batchSize, inputs: layer.spec.inputs, outputs: layer.spec.outputs,
                    reluMask: layers[index - 1].spec.appliesReLU)
            }
            DenseKernels.step(
                weights: layer.weights, bias: layer.biases,
                anchorWeights: mu > 0 ? layer.anchorWeights.map { UnsafePointer($0) } : nil,
                anchorBias: mu > 0 ? layer.anchorBiases.map { UnsafePointer($0) } : nil,
                deltas: layer.deltas, x: x, column: column,
                batch: batchSize, inputs: layer.spec.inputs, outputs: layer.spec.outputs,
                learningRate: learningRate, mu: mu)
        }
    }
}
