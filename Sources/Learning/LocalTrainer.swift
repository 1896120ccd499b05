/// Mini-batch SGD on one client's data, starting from the global model of the round.
public struct LocalTrainer {
    /// Trains `start` for `configuration.epochs` passes over `data`, reshuffling each epoch
    /// from the configuration's seed, so the same inputs always give the same result.
    /// With `proximalMu > 0` each gradient gains μ·(w − start) (FedProx), which keeps clients
    /// with skewed data from drifting far from the global model.
    public static func train(
        _ start: ModelParameters, architecture: ModelArchitecture, on data: LabeledImages,
        configuration: TrainingConfiguration
    ) throws(TrainingError) -> (parameters: ModelParameters, report: TrainingReport) {
        try configuration.validate()
        try checkCompatibility(start, architecture: architecture, data: data)
        let clock = ContinuousClock()
        let began = clock.now

        let batchSize = min(configuration.batchSize, data.count)
        let network = DenseNetwork(
            architecture: architecture, parameters: start, batchCapacity: batchSize,
            keepsAnchor: configuration.proximalMu > 0)
        var generator = SeededGenerator(seed: configuration.seed)
        var order = Array(0..<data.count)
        var epochLosses: [Double] = []

        for epoch in 1...configuration.epochs {
            generator.shuffle(&order)
            var lossSum: Double = 0
            data.pixels.withUnsafeBufferPointer { pixels in
                data.labels.withUnsafeBufferPointer { labels in
                    order.withUnsafeBufferPointer { order in
                        guard let pixels = pixels.baseAddress, let labels = labels.baseAddress else { return }
                        for first in stride(from: 0, to: order.count, by: batchSize) {
                            let indices = UnsafeBufferPointer(rebasing: order[first..<min(first + batchSize, order.count)])
                            network.loadBatch(pixels: pixels, labels: labels, indices: indices)
                            network.forward(batchSize: indices.count)
                            lossSum += network.softmaxCrossEntropy(batchSize: indices.count)
                            network.backwardAndStep(
                                batchSize: indices.count, learningRate: configuration.learningRate,
                                mu: configuration.proximalMu)
                        }
                    }
                }
            }
            guard lossSum.isFinite, network.weightsAreFinite else { throw .diverged(epoch: epoch) }
            epochLosses.append(lossSum / Double(data.count))
        }

        let report = TrainingReport(
            examples: data.count, epochs: configuration.epochs, meanLoss: epochLosses.last ?? 0,
            epochLosses: epochLosses, seconds: (clock.now - began).seconds)
        return (network.parameters(), report)
    }

    /// The checks shared by training and evaluation: the parameters fit the architecture and
    /// are finite, and the data is non-empty with matching features and labels in range.
    static func checkCompatibility(
        _ parameters: ModelParameters, architecture: ModelArchitecture, data: LabeledImages
    ) throws(TrainingError) {
        do { try architecture.validate(parameters) } catch { throw .model(error) }
        guard parameters.allFinite else { throw .nonFiniteParameters }
        guard data.count > 0 else { throw .emptyDataSet }
        guard data.featureCount == architecture.inputs else {
            throw .featureCountMismatch(modelInputs: architecture.inputs, dataFeatures: data.featureCount)
        }
        if let largest = data.labels.max(), Int(largest) >= architecture.classes {
            throw .labelOutOfRange(label: largest, classes: architecture.classes)
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
