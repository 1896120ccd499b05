/// Scores a model on a labelled data set.
public enum Evaluator {
    static let batchSize = 256

    public static func evaluate(
        _ parameters: ModelParameters, architecture: ModelArchitecture, on data: LabeledImages
    ) throws(TrainingError) -> Evaluation {
        try LocalTrainer.checkCompatibility(parameters, architecture: architecture, data: data)
        let classes = architecture.classes
        let network = DenseNetwork(
            architecture: architecture, parameters: parameters, batchCapacity: min(batchSize, data.count), keepsAnchor: false)
        var correct = [Int](repeating: 0, count: classes)
        var total = [Int](repeating: 0, count: classes)
        var lossSum: Double = 0

        data.pixels.withUnsafeBufferPointer { pixels in
            data.labels.withUnsafeBufferPointer { labels in
                guard let pixels = pixels.baseAddress, let labels = labels.baseAddress else { return }
                for first in stride(from: 0, to: data.count, by: batchSize) {
                    let count = min(batchSize, data.count - first)
                    network.loadBatch(pixels: pixels, labels: labels, first: first, batchSize: count)
                    network.forward(batchSize: count)
                    lossSum += network.softmaxCrossEntropy(batchSize: count)
                    for example in 0..<count {
                        let label = Int(labels[first + example])
                        let row = network.outputs + example * classes
                        // Ties go to the lowest class, so a model of all zeros predicts class 0.
                        var predicted = 0
                        for index in 1..<classes where row[index] > row[predicted] { predicted = index }
                        total[label] += 1
                        if predicted == label { correct[label] += 1 }
                    }
                }
            }
        }
        let hits = correct.reduce(0, +)
        return Evaluation(
            accuracy: Double(hits) / Double(data.count),
            meanLoss: lossSum / Double(data.count),
            perClass: (0..<classes).map { ClassAccuracy(label: $0, correct: correct[$0], total: total[$0]) })
    }
}
