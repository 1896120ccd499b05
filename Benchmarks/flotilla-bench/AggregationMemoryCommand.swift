import ArgumentParser
import Foundation
import Learning

/// Peak memory of the aggregator during one FedAvg round, run as the service runs it (updates
/// made as safetensors bytes one at a time, decoded, added, dropped). Run it in its own process:
/// the peak is the process's resident high-water mark.
struct AggregationMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "aggregation-memory", abstract: "Peak RSS of one FedAvg round against 3 model sizes + 64 MB.")

    @Option(help: "Clients in the round.") var clients = 50
    @Option(help: "float32 parameters per model.") var parameters = 10_000_000
    @Option(help: "The aggregator's pending budget in MiB.") var pendingBudgetMiB = 64

    func run() throws {
        let shape = AggregationBenchmark.Shape(clients: clients, parameters: parameters)
        guard let figures = try AggregationBenchmark.measureMemory(shape: shape, pendingByteBudget: pendingBudgetMiB << 20) else {
            print("aggregation-memory: resident memory cannot be read here (needs /proc/self/status)")
            return
        }
        func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
        let model = Double(figures.modelBytes)
        print("aggregation-memory: one FedAvg round, \(shape) float32 (model \(mb(figures.modelBytes))), pending budget \(pendingBudgetMiB) MiB")
        print("  baseline RSS (global model and aggregator resident): \(mb(figures.baselineBytes))")
        print("  peak RSS during the round: \(mb(figures.peakBytes)) (VmHWM\(figures.peakWasReset ? ", reset just before the round" : ", lifetime: could not be reset"))")
        print("  RSS after finish (global model and result held): \(mb(figures.afterBytes))")
        print(String(format: "  peak above baseline: %@ = %.2f model sizes", mb(figures.aboveBaseline), Double(figures.aboveBaseline) / model))
        print(String(format: "  goal: < 3 model sizes + 64 MB = %@ (%.2f model sizes): %@", mb(figures.goalBytes), Double(figures.goalBytes) / model,
                     figures.meetsGoal ? "met" : "NOT met"))
    }
}
