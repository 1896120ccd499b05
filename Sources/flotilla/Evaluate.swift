import ArgumentParser
import Foundation
import Learning

/// Validates a global model the way the source article does: does it predict every digit?
/// Optionally trains a local-only model on each shard for comparison (what each cluster
/// could learn alone) and checks the accuracy goals.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a global model on the full MNIST test set, next to local-only baselines.")

    @Option(help: "The global model (.safetensors).") var model: String
    @Option(help: "Directory with the MNIST IDX files (its t10k files are the test set).") var mnist: String
    @Option(help: "NAME=SHARD_DIR: also train a local-only model on this shard alone. Repeatable.") var baseline: [String] = []
    @Option(help: "Epochs for each local-only model (match rounds x epochs per round).") var baselineEpochs: Int = 10
    @Option(help: "Fail unless the global model reaches this accuracy.") var minAccuracy: Double?
    @Option(help: "Fail unless every class (digit) reaches this accuracy: the check behind \"predicts all ten digits\".") var minClassAccuracy: Double?
    @Option(help: "Fail unless every local-only model stays below this accuracy.") var maxBaselineAccuracy: Double?
    @Flag(help: "A model of your own trainer's layout (no built-in architecture) is reported and skipped, not an error.") var ownModelsSkipped = false

    func run() async throws {
        let test = try LabeledImages.loadMNIST(directory: URL(fileURLWithPath: mnist), split: .test)
        let decoded = try SafeTensors.decode(Array(try Data(contentsOf: URL(fileURLWithPath: model))))
        let architecture: ModelArchitecture
        do {
            architecture = try Self.architecture(of: decoded.parameters)
        } catch let error as ValidationError where ownModelsSkipped {
            print("\(error.message): its own trainer's federated evaluation is its measure; not evaluated here")
            return
        }
        let global = try Evaluator.evaluate(decoded.parameters, architecture: architecture, on: test)

        var rows: [(String, Evaluation)] = [("global (federated)", global)]
        for entry in baseline {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--baseline '\(entry)': expected NAME=SHARD_DIR") }
            let shard = try LabeledImages.loadMNIST(directory: URL(fileURLWithPath: parts[1]), split: .train)
            var configuration = TrainingConfiguration.default
            configuration.epochs = baselineEpochs
            let (local, _) = try LocalTrainer.train(architecture.initialParameters(seed: configuration.seed), architecture: architecture, on: shard, configuration: configuration)
            rows.append(("\(parts[0]) alone", try Evaluator.evaluate(local, architecture: architecture, on: test)))
        }
        print(Self.table(rows))

        let goals = EvaluationGoals(minimumAccuracy: minAccuracy, minimumClassAccuracy: minClassAccuracy, maximumBaselineAccuracy: maxBaselineAccuracy)
        let verdict = goals.check(global, baselines: rows.dropFirst().map { (name: $0.0, evaluation: $0.1) })
        verdict.notes.forEach { print($0) }
        verdict.passed.forEach { print("PASS: \($0)") }
        verdict.failed.forEach { print("FAIL: \($0)") }
        if !verdict.succeeded { throw ExitCode(1) }
    }

    static func architecture(of parameters: ModelParameters) throws -> ModelArchitecture {
        let shapes = Dictionary(uniqueKeysWithValues: parameters.tensors.map { ($0.name, $0.shape) })
        for candidate in [ModelArchitecture.mnistSoftmax, .mnistMLP] where candidate.tensorLayout.allSatisfy({ shapes[$0.name] == $0.shape }) && shapes.count == candidate.tensorLayout.count {
            return candidate
        }
        if let hidden = shapes["hidden.weight"], hidden.count == 2, let output = shapes["output.weight"], output.count == 2 {
            return .mlp(inputs: hidden[1], hidden: hidden[0], classes: output[0])
        }
        if let dense = shapes["dense.weight"], dense.count == 2 { return .softmaxRegression(inputs: dense[1], classes: dense[0]) }
        throw ValidationError("the model's tensors \(shapes.keys.sorted()) match no known architecture")
    }

    static func table(_ rows: [(String, Evaluation)]) -> String {
        var lines = ["model".padding(toLength: 22, withPad: " ", startingAt: 0) + "accuracy  " + (0...9).map { "   \($0)  " }.joined()]
        for (name, evaluation) in rows {
            let perDigit = evaluation.perClass.sorted { $0.label < $1.label }.map { String(format: " %.2f ", $0.accuracy) }.joined()
            lines.append(name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "  %.4f  ", evaluation.accuracy) + perDigit)
        }
        return lines.joined(separator: "\n")
    }
}
