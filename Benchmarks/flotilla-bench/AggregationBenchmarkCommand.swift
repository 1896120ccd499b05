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
        print("\nFedAvg, \(report.threads) threads" + cell("round ms", 16) + cell("GB/s", 7) + cell("probe GB/s", 12) + cell("round/probe", 13) + cell("Flower ms", 11) + cell("Flower/ours", 13))
        for figures in report.fedAvg {
            let theirs = flower[FlowerBaseline.Key(strategy: "fedAvg", shape: figures.shape)]
            print(cell(figures.shape.description, 18) + cell(ms(figures.roundSeconds), 16) + cell(String(format: "%.1f", figures.roundGBps), 7)
                + cell(String(format: "%.1f", figures.probeGBps), 12) + cell(String(format: "%.0f%%", figures.roundToProbe * 100), 13)
                + cell(ms(theirs), 11) + cell(theirs.map { String(format: "%.1fx", $0 / figures.roundSeconds) } ?? "-", 13))
        }
        print("\nRobust strategies" + cell("add+finish ms", 30) + cell("Flower ms", 11) + cell("Flower/ours", 13))
        for figures in report.robust {
            let ours = figures.addSeconds + figures.finishSeconds
            let theirs = flower[FlowerBaseline.Key(strategy: figures.strategy.name, shape: figures.shape)]
            print(cell(figures.strategy.name, 14) + cell(figures.shape.description, 10) + cell(ms(ours), 23) + cell(ms(theirs), 11)
                + cell(theirs.map { String(format: "%.1fx", $0 / ours) } ?? "-", 13))
        }
        print("\nGoals (issue 4): FedAvg 50 x 10M round >= 70% of the probe and >= 8x Flower; median, trimmed mean, Krum at 50 x 1M >= 5x Flower.")
    }
}
