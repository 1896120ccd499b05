import Foundation
import Testing
@testable import Learning

@Suite("Evaluator")
struct EvaluatorTests {
    /// A hand-built model on 2 features and 3 classes: class 0 scores feature 0, class 1
    /// scores feature 1, and class 2 is never predicted.
    static let architecture = ModelArchitecture.softmaxRegression(inputs: 2, classes: 3)
    static let parameters = ModelParameters(tensors: [
        Tensor(name: "dense.bias", shape: [3], values: [0, 0, -5]),
        Tensor(name: "dense.weight", shape: [3, 2], values: [10, 0, 0, 10, 0, 0]),
    ])

    @Test func countsCorrectAndTotalPerClass() throws {
        // Examples: (1,0) label 0 ✓, (0,1) label 1 ✓, (1,0) label 1 ✗, (0,1) label 2 ✗, (1,0) label 0 ✓.
        let data = try LabeledImages(pixels: [1, 0, 0, 1, 1, 0, 0, 1, 1, 0], labels: [0, 1, 1, 2, 0], featureCount: 2)
        let evaluation = try Evaluator.evaluate(Self.parameters, architecture: Self.architecture, on: data)
        #expect(evaluation.perClass == [
            ClassAccuracy(label: 0, correct: 2, total: 2),
            ClassAccuracy(label: 1, correct: 1, total: 2),
            ClassAccuracy(label: 2, correct: 0, total: 1),
        ])
        #expect(evaluation.accuracy == 0.6)
        #expect(evaluation.examples == 5)
        #expect(evaluation.perClass[1].accuracy == 0.5)

        // Loss by hand: logits (10, 0, -5) for a (1,0) input, etc.
        func crossEntropy(_ logits: [Double], _ label: Int) -> Double {
            log(logits.map { exp($0) }.reduce(0, +)) - logits[label]
        }
        let expected = [
            crossEntropy([10, 0, -5], 0), crossEntropy([0, 10, -5], 1), crossEntropy([10, 0, -5], 1),
            crossEntropy([0, 10, -5], 2), crossEntropy([10, 0, -5], 0),
        ].reduce(0, +) / 5
        #expect(abs(evaluation.meanLoss - expected) < 1e-4)
    }

    @Test func classesWithoutExamplesReportZero() throws {
        let data = try LabeledImages(pixels: [1, 0], labels: [0], featureCount: 2)
        let evaluation = try Evaluator.evaluate(Self.parameters, architecture: Self.architecture, on: data)
        #expect(evaluation.perClass.map(\.total) == [1, 0, 0])
        #expect(evaluation.perClass[2].accuracy == 0)
    }

    @Test func batchesLargerThanOneBlockMatchSmallOnes() throws {
        // 600 examples span three evaluation batches; the result must equal per-slice counts.
        let data = try LabeledImages.synthetic(count: 600, featureCount: 8, classes: 3, seed: 2)
        let architecture = ModelArchitecture.softmaxRegression(inputs: 8, classes: 3)
        let (model, _) = try LocalTrainer.train(
            architecture.initialParameters(seed: 0), architecture: architecture, on: data.prefix(100),
            configuration: TrainingConfiguration(epochs: 1, batchSize: 10, learningRate: 0.1))
        let whole = try Evaluator.evaluate(model, architecture: architecture, on: data)
        var correct = 0
        for index in 0..<600 {
            let one = try LabeledImages(
                pixels: Array(data.pixels[index * 8..<(index + 1) * 8]), labels: [data.labels[index]], featureCount: 8)
            correct += try Evaluator.evaluate(model, architecture: architecture, on: one).perClass.reduce(0) { $0 + $1.correct }
        }
        #expect(whole.perClass.reduce(0) { $0 + $1.correct } == correct)
    }
}
