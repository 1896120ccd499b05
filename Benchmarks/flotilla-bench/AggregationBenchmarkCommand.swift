import ArgumentParser
import Foundation
import Learning

/// Issue 4's aggregation benchmark: our FedAvg against a memory-read bandwidth probe over the
/// same buffers (same run), and, when Python's `flwr` is importable, Flower's own aggregation
/// functions on the same shapes. Prints figures and ratios; asserts nothing.
struct AggregationBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "aggregation", abstract: "FedAvg vs the bandwidth probe and vs Flower; robust strategies vs Flower.")

    @Flag(help: "Only the small shapes (10 x 1M, 50 x 1M).") var quick = false
    @Option(help: "Repetitions per measurement (best is kept).") var repetitions = 5
    @Flag(help: "Skip Flower even if flwr is installed.") var withoutFlower = false

    func run() throws {
        let fedAvgShapes = quick ? [AggregationBenchmark.Shape(clients: 10, parameters: 1_000_000)] : AggregationBenchmark.fedAvgShapes
        let report = try AggregationBenchmark.run(fedAvgShapes: fedAvgShapes, robustShapes: AggregationBenchmark.robustShapes, repetitions: repetitions) { print("  \($0)") }
        let flower = withoutFlower ? [:] : FlowerBaseline.measure(
            fedAvg: fedAvgShapes, robust: AggregationBenchmark.robustShapes, repetitions: min(repetitions, 3)
        )
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func ms(_ seconds: Double?) -> String { seconds.map { String(format: "%.1f", $0 * 1e3) } ?? "-" }
        func ratio(_ theirs: Double?, _ ours: Double) -> String { theirs.map { String(format: "%.1fx", $0 / ours) } ?? "-" }
        print("\nDecode (one update, fresh arrays)" + cell("memcpy GB/s", 13) + cell("copy GB/s", 11) + cell("decode GB/s", 13) + cell("+finite GB/s", 14))
        for figures in report.decode {
            func rate(_ seconds: Double) -> String { String(format: "%.1f", figures.gigabytesPerSecond(seconds)) }
            print(cell("\(figures.parameters / 1_000_000)M", 33) + cell(rate(figures.memcpySeconds), 13) + cell(rate(figures.parallelCopySeconds), 11)
                + cell(rate(figures.decodeSeconds), 13) + cell(rate(figures.decodeFiniteSeconds), 14))
        }
        print("  (memcpy: one thread, as `decode` copies; copy: \(report.threads) threads; +finite: `decodeFinite`, copy and NaN/infinity check in one pass)")
        print("\nFedAvg, \(report.threads) threads" + cell("round ms", 16) + cell("GB/s", 7) + cell("probe GB/s", 12) + cell("round/probe", 13)
            + cell("arrival ms", 12) + cell("arr/probe", 11) + cell("checked ms", 12) + cell("Flower msg ms", 15) + cell("msg/ours", 10) + cell("classic ms", 12) + cell("classic/ours", 14))
        for figures in report.fedAvg {
            let message = flower[FlowerBaseline.Key(strategy: "fedAvgMessage", shape: figures.shape)]
            let classic = flower[FlowerBaseline.Key(strategy: "fedAvg", shape: figures.shape)]
            print(cell(figures.shape.description, 18) + cell(ms(figures.roundSeconds), 16) + cell(String(format: "%.1f", figures.roundGBps), 7)
                + cell(String(format: "%.1f", figures.probeGBps), 12) + cell(String(format: "%.0f%%", figures.roundToProbe * 100), 13)
                + cell(ms(figures.arrivalRoundSeconds), 12) + cell(String(format: "%.0f%%", figures.arrivalToProbe * 100), 11)
                + cell(ms(figures.checkedRoundSeconds), 12) + cell(ms(message), 15) + cell(ratio(message, figures.roundSeconds), 10)
                + cell(ms(classic), 12) + cell(ratio(classic, figures.roundSeconds), 14))
        }
        print("  (round: updates as `decodeFinite` returns them, fused in pairs within 64 MiB; arrival: each folded as it is added, as the service does;")
        print("   checked: the round with plain ModelParameters, read once more for NaN/infinity;")
        print("   Flower msg: message-API FedAvg.aggregate_train; classic: flwr.server.strategy.aggregate.aggregate)")
        print("\nRobust strategies" + cell("add+finish ms", 30) + cell("Flower ms", 11) + cell("Flower/ours", 13))
        for figures in report.robust {
            let ours = figures.addSeconds + figures.finishSeconds
            let theirs = flower[FlowerBaseline.Key(strategy: figures.strategy.name, shape: figures.shape)]
            print(cell(figures.strategy.name, 14) + cell(figures.shape.description, 10) + cell(ms(ours), 23) + cell(ms(theirs), 11)
                + cell(ratio(theirs, ours), 13))
        }
        print("\nGoals (issue 4): FedAvg 50 x 10M round >= 70% of the probe and >= 8x Flower's message-API FedAvg; median, trimmed mean, Krum at 50 x 1M >= 5x Flower.")
        print("Memory: `flotilla-bench aggregation-memory` (one 50 x 10M round, peak RSS against 3 model sizes + 64 MB).")
    }
}
