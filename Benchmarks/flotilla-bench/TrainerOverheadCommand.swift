import ArgumentParser
import Collaborator
import Foundation
import Learning
import Shared

/// Per-round overhead of a trainer program against the built-in trainer, in one run: three
/// collaborators train a 7,850-parameter model (784 inputs, 10 classes) on their MNIST shards
/// at the same time, and the round ends with their FedAvg. Overhead = round time minus the
/// slowest collaborator's own training (for the Flower app, the time inside its ClientApp as
/// the adapter measures it). Both paths exclude the broker: this is the cost of running a
/// trainer program (model files, the process, the answer, the checks), not of Kafka.
struct TrainerOverheadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer-overhead", abstract: "Per-round overhead of a Flower app (serve mode) next to the built-in trainer: median of 10 rounds."
    )

    @Option(help: "Rounds measured (after one warm-up round).") var rounds = 10
    @Option(help: "The Flower app.") var app = "examples/flower-mnist"
    @Option(help: "The Flower adapter.") var adapter = "trainers/flower/flotilla_flower.py"
    @Option(help: "MNIST IDX files.") var mnist = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/flotilla/mnist").path
    @Option(help: "Training examples per collaborator.") var examples = 4000

    static let shards: [Set<UInt8>] = [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-trainer-overhead-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let all = try LabeledImages.loadMNIST(directory: URL(fileURLWithPath: mnist), split: .train)
        var data: [LabeledImages] = []
        for (index, digits) in Self.shards.enumerated() {
            let shard = all.filtered(digits: digits).prefix(examples)
            try shard.write(to: work.appendingPathComponent("data/c\(index)"), split: .train)
            data.append(shard)
        }
        let architecture = ModelArchitecture.softmaxRegression(inputs: 784, classes: 10)
        let configuration = TrainingConfiguration(epochs: 1, batchSize: 32, learningRate: 0.1)
        print("trainer-overhead: 3 collaborators × \(examples) examples, \(architecture.parameterCount) parameters, 1 epoch, batch 32; median of \(rounds) rounds after a warm-up")

        let builtIn = try await measure(rounds: rounds) { base in
            try await withThrowingTaskGroup(of: (ModelParameters, Int, Double).self) { group in
                for shard in data {
                    group.addTask {
                        let started = ContinuousClock.now
                        let (parameters, report) = try LocalTrainer.train(base, architecture: architecture, on: shard, configuration: configuration)
                        return (parameters, report.examples, (ContinuousClock.now - started).seconds)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        report("built-in (Swift)", builtIn)

        let spec = TrainerSpec(
            command: ["python3", URL(fileURLWithPath: adapter).path, "serve", "--app", URL(fileURLWithPath: app).path],
            config: ["learning-rate": .double(0.1), "local-epochs": .int(1), "batch-size": .int(32)], mode: .serve
        )
        let harnesses = (0..<3).map { TrainerHarness(allowedPrograms: ["python3"], workRoot: work.appendingPathComponent("work/c\($0)")) }
        var round = 0
        let flower = try await measure(rounds: rounds) { base in
            round += 1
            let number = round
            return try await withThrowingTaskGroup(of: (ModelParameters, Int, Double).self) { group in
                for (index, harness) in harnesses.enumerated() {
                    group.addTask {
                        let result = try await harness.train(
                            job: "bench", round: number, cluster: "c\(index)", partition: index, of: 3,
                            data: work.appendingPathComponent("data/c\(index)"), spec: spec, base: base
                        )
                        return (result.update, result.examples, result.appSeconds ?? .nan)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        for harness in harnesses { await harness.stop() }
        report("Flower app (serve)", flower)
        let ratio = median(flower.map(\.overhead)) / max(median(builtIn.map(\.overhead)), 1e-9)
        print(String(format: "  Flower overhead %.1f ms against the goal of 150 ms: %@; %.1f× the built-in trainer's", median(flower.map(\.overhead)) * 1000,
                     median(flower.map(\.overhead)) <= 0.150 ? "met" : "NOT met", ratio))
    }

    struct Round { var total: Double; var slowestTraining: Double; var overhead: Double { total - slowestTraining } }

    /// Runs `rounds + 1` rounds (the first warms up) of `train` then FedAvg.
    func measure(rounds: Int, _ train: (ModelParameters) async throws -> [(ModelParameters, Int, Double)]) async throws -> [Round] {
        var global = ModelArchitecture.softmaxRegression(inputs: 784, classes: 10).initialParameters(seed: 1)
        var measured: [Round] = []
        for index in 0...rounds {
            let started = ContinuousClock.now
            let results = try await train(global)
            global = Self.fedAvg(results.map { ($0.0, $0.1) })
            let round = Round(total: (ContinuousClock.now - started).seconds, slowestTraining: results.map(\.2).max() ?? 0)
            if index > 0 { measured.append(round) }
        }
        return measured
    }

    /// Example-weighted FedAvg in plain loops (the aggregator's own kernels are measured by
    /// `aggregation`; here it only has to be cheap and the same for both trainers).
    static func fedAvg(_ updates: [(ModelParameters, Int)]) -> ModelParameters {
        var result = updates[0].0
        let total = Float(updates.reduce(0) { $0 + $1.1 })
        for tensor in result.tensors.indices {
            var sum = [Float](repeating: 0, count: result.tensors[tensor].values.count)
            for (update, examples) in updates {
                let weight = Float(examples) / total
                update.tensors[tensor].values.withUnsafeBufferPointer { values in
                    for index in sum.indices { sum[index] += weight * values[index] }
                }
            }
            result.tensors[tensor].values = sum
        }
        return result
    }

    func report(_ name: String, _ rounds: [Round]) {
        print(String(format: "  %-20@ round %.1f ms, slowest training %.1f ms, overhead %.1f ms (median; p90 %.1f ms)",
                     name as NSString, median(rounds.map(\.total)) * 1000, median(rounds.map(\.slowestTraining)) * 1000,
                     median(rounds.map(\.overhead)) * 1000, percentile(rounds.map(\.overhead), 0.9) * 1000))
    }

    func median(_ values: [Double]) -> Double { percentile(values, 0.5) }
    func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
