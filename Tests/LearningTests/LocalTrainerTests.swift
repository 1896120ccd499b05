import Foundation
import Testing
@testable import Learning

@Suite("LocalTrainer")
struct LocalTrainerTests {
    static let architecture = ModelArchitecture.softmaxRegression(inputs: 16, classes: 4)
    static let configuration = TrainingConfiguration(epochs: 5, batchSize: 16, learningRate: 0.5, proximalMu: 0, seed: 3)

    static func data(seed: UInt64 = 1) throws -> LabeledImages {
        try LabeledImages.synthetic(count: 400, featureCount: 16, classes: 4, seed: seed)
    }

    static func distance(_ a: ModelParameters, _ b: ModelParameters) -> Double {
        zip(a.tensors, b.tensors).reduce(0) { total, pair in
            total + zip(pair.0.values, pair.1.values).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        }.squareRoot()
    }

    @Test func softmaxRegressionLearnsTheSyntheticSet() throws {
        let data = try Self.data()
        let start = Self.architecture.initialParameters(seed: 0)
        let before = try Evaluator.evaluate(start, architecture: Self.architecture, on: data)
        let (trained, report) = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: Self.configuration)
        let after = try Evaluator.evaluate(trained, architecture: Self.architecture, on: try Self.data(seed: 2).prefix(200))

        #expect(abs(before.meanLoss - log(4.0)) < 1e-6) // all-zero weights: uniform over 4 classes
        #expect(report.examples == 400 && report.epochs == 5)
        #expect(report.epochLosses.count == 5)
        #expect(report.epochLosses.last! < report.epochLosses.first! * 0.5)
        #expect(report.meanLoss == report.epochLosses.last)
        #expect(after.accuracy >= 0.97)
        #expect(after.meanLoss < before.meanLoss / 4)
        #expect(try Self.architecture.validate(trained) == ())
    }

    @Test func mlpLearnsTheSyntheticSet() throws {
        let architecture = ModelArchitecture.mlp(inputs: 16, hidden: 8, classes: 4)
        let data = try Self.data()
        let (trained, report) = try LocalTrainer.train(
            architecture.initialParameters(seed: 1), architecture: architecture, on: data,
            configuration: TrainingConfiguration(epochs: 10, batchSize: 10, learningRate: 0.2, seed: 1))
        #expect(report.epochLosses.last! < report.epochLosses.first! * 0.5)
        #expect(try Evaluator.evaluate(trained, architecture: architecture, on: data).accuracy >= 0.95)
    }

    @Test func trainingIsDeterministicForASeed() throws {
        let data = try Self.data()
        let start = Self.architecture.initialParameters(seed: 0)
        let first = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: Self.configuration)
        let second = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: Self.configuration)
        var reseeded = Self.configuration
        reseeded.seed = 4
        let third = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: reseeded)
        #expect(first.parameters == second.parameters)
        #expect(first.parameters != third.parameters)
    }

    @Test func fedProxStaysCloserToTheStart() throws {
        let data = try Self.data()
        let start = Self.architecture.initialParameters(seed: 0)
        var proximal = Self.configuration
        proximal.proximalMu = 1
        let plain = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: Self.configuration)
        let anchored = try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: proximal)
        let plainDistance = Self.distance(plain.parameters, start), anchoredDistance = Self.distance(anchored.parameters, start)
        #expect(anchoredDistance < plainDistance * 0.8)
        #expect(anchoredDistance > 0)
    }

    @Test func rejectsMismatchedInputs() throws {
        let data = try Self.data()
        let start = Self.architecture.initialParameters(seed: 0)
        let wide = ModelArchitecture.softmaxRegression(inputs: 17, classes: 4)
        #expect(throws: TrainingError.featureCountMismatch(modelInputs: 17, dataFeatures: 16)) {
            try LocalTrainer.train(wide.initialParameters(seed: 0), architecture: wide, on: data, configuration: Self.configuration)
        }
        let narrow = ModelArchitecture.softmaxRegression(inputs: 16, classes: 3)
        #expect(throws: TrainingError.labelOutOfRange(label: 3, classes: 3)) {
            try LocalTrainer.train(narrow.initialParameters(seed: 0), architecture: narrow, on: data, configuration: Self.configuration)
        }
        #expect(throws: TrainingError.self) {
            try LocalTrainer.train(start, architecture: .mlp(inputs: 16, hidden: 4, classes: 4), on: data, configuration: Self.configuration)
        }
        var broken = start
        broken.tensors[0].values[0] = .nan
        #expect(throws: TrainingError.nonFiniteParameters) {
            try LocalTrainer.train(broken, architecture: Self.architecture, on: data, configuration: Self.configuration)
        }
        #expect(throws: TrainingError.emptyDataSet) {
            try LocalTrainer.train(start, architecture: Self.architecture, on: data.prefix(0), configuration: Self.configuration)
        }
    }

    @Test func rejectsInvalidConfigurations() throws {
        let data = try Self.data()
        let start = Self.architecture.initialParameters(seed: 0)
        for bad in [
            TrainingConfiguration(epochs: 0, batchSize: 8, learningRate: 0.1),
            TrainingConfiguration(epochs: 1, batchSize: 0, learningRate: 0.1),
            TrainingConfiguration(epochs: 1, batchSize: 8, learningRate: -1),
            TrainingConfiguration(epochs: 1, batchSize: 8, learningRate: .nan),
            TrainingConfiguration(epochs: 1, batchSize: 8, learningRate: 0.1, proximalMu: -0.5),
        ] {
            #expect(throws: TrainingError.self) {
                try LocalTrainer.train(start, architecture: Self.architecture, on: data, configuration: bad)
            }
        }
        #expect(throws: Never.self) { try TrainingConfiguration.default.validate() }
    }

    @Test func divergenceIsReportedNotReturned() throws {
        let data = try Self.data()
        let reckless = TrainingConfiguration(epochs: 3, batchSize: 4, learningRate: .greatestFiniteMagnitude, seed: 0)
        let error = #expect(throws: TrainingError.self) {
            try LocalTrainer.train(
                Self.architecture.initialParameters(seed: 0), architecture: Self.architecture, on: data, configuration: reckless)
        }
        guard case .diverged = error else {
            Issue.record("expected divergence, got \(String(describing: error))")
            return
        }
    }
}
