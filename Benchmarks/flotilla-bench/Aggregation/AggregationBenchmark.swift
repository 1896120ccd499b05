import Learning
import Foundation

/// Measures aggregation speed on synthetic float32 updates, for a benchmark command to print.
/// Every figure is the best of `repetitions` runs, and FedAvg is always compared with a
/// memory-read probe over the very same buffers in the same run, because the bandwidth of
/// shared machines drifts from minute to minute.
public enum AggregationBenchmark {
    public struct Shape: Sendable, Hashable, CustomStringConvertible {
        public var clients: Int
        public var parameters: Int
        public init(clients: Int, parameters: Int) {
            self.clients = clients
            self.parameters = parameters
        }
        public var inputBytes: Int { clients * parameters * MemoryLayout<Float>.size }
        public var description: String { "\(clients) x \(parameters / 1_000_000)M" }
    }

    public static let fedAvgShapes = [(10, 1), (100, 1), (10, 10), (50, 10)].map { Shape(clients: $0, parameters: $1 * 1_000_000) }
    public static let robustShapes = [(10, 1), (50, 1)].map { Shape(clients: $0, parameters: $1 * 1_000_000) }

    /// One shape's FedAvg figures. GB/s are input bytes (clients × parameters × 4) per second.
    public struct FedAvgFigures: Sendable, Hashable {
        public var shape: Shape
        /// A whole round through `RoundAggregator` as the service runs it: each update as the
        /// decoder produced it (`FiniteParameters`), its layout checked and folded on arrival
        /// (fused as far as the 64 MiB pending budget allows), then finished.
        public var roundSeconds: Double
        /// The same round folding each update as it is added (pending budget 0), as the
        /// aggregator service does with updates arriving one by one.
        public var arrivalRoundSeconds: Double
        /// The same round with plain `ModelParameters`, which `add` reads once more to reject
        /// NaN and infinity before folding.
        public var checkedRoundSeconds: Double
        /// The fold alone, all updates resident, eight fused per pass, no checks: the kernel's speed.
        public var foldSeconds: Double
        /// Reading every input float once (a sum on all cores): the same-run bandwidth limit.
        public var probeSeconds: Double
        public var roundGBps: Double { Double(shape.inputBytes) / roundSeconds / 1e9 }
        public var foldGBps: Double { Double(shape.inputBytes) / foldSeconds / 1e9 }
        public var probeGBps: Double { Double(shape.inputBytes) / probeSeconds / 1e9 }
        /// Round speed as a fraction of the probe's (1 = as fast as merely reading the inputs).
        public var roundToProbe: Double { probeSeconds / roundSeconds }
        public var arrivalToProbe: Double { probeSeconds / arrivalRoundSeconds }
        public var foldToProbe: Double { probeSeconds / foldSeconds }
    }

    /// One robust strategy at one shape: `addSeconds` to check and store the updates (one copy
    /// each), `finishSeconds` to compute the aggregate from them.
    public struct RobustFigures: Sendable, Hashable {
        public var shape: Shape
        public var strategy: AggregationStrategy
        public var addSeconds: Double
        public var finishSeconds: Double
    }

    public struct Report: Sendable, Hashable {
        public var threads: Int
        public var decode: [DecodeFigures]
        public var fedAvg: [FedAvgFigures]
        public var robust: [RobustFigures]
    }

    /// Runs the FedAvg and robust measurements. Inputs are generated once per parameter count
    /// and shared by every shape with that count (50 × 10M float32 is 2 GB).
    public static func run(
        fedAvgShapes: [Shape] = fedAvgShapes, robustShapes: [Shape] = robustShapes, repetitions: Int = 5,
        log: (String) -> Void = { _ in }
    ) throws -> Report {
        var decode: [DecodeFigures] = []
        var fedAvg: [FedAvgFigures] = []
        var robust: [RobustFigures] = []
        let sizes = Set(fedAvgShapes.map(\.parameters) + robustShapes.map(\.parameters)).sorted()
        for parameters in sizes {
            let clients = (fedAvgShapes + robustShapes).filter { $0.parameters == parameters }.map(\.clients).max() ?? 0
            log("generating \(clients) updates of \(parameters) parameters")
            let inputs = try BenchmarkInputs(clients: clients, parameters: parameters)
            let decoding = try measureDecode(inputs.updates[0].parameters, repetitions: repetitions)
            log(String(format: "decode %dM: memcpy %.2f ms (%.1f GB/s), %d-thread copy %.2f ms (%.1f GB/s), decode %.2f ms (%.1f GB/s), decode+finite check %.2f ms (%.1f GB/s)",
                       parameters / 1_000_000, decoding.memcpySeconds * 1e3, decoding.gigabytesPerSecond(decoding.memcpySeconds),
                       ParallelChunks.threadCount, decoding.parallelCopySeconds * 1e3, decoding.gigabytesPerSecond(decoding.parallelCopySeconds),
                       decoding.decodeSeconds * 1e3, decoding.gigabytesPerSecond(decoding.decodeSeconds),
                       decoding.decodeFiniteSeconds * 1e3, decoding.gigabytesPerSecond(decoding.decodeFiniteSeconds)))
            decode.append(decoding)
            for shape in fedAvgShapes where shape.parameters == parameters {
                let figures = try measureFedAvg(inputs, clients: shape.clients, repetitions: repetitions)
                log(String(format: "fedAvg %@: round %.2f ms (%.1f GB/s), checked round %.2f ms, fold %.2f ms (%.1f GB/s), probe %.2f ms (%.1f GB/s), round/probe %.0f%%, one at a time %.2f ms (%.0f%%)",
                           shape.description, figures.roundSeconds * 1e3, figures.roundGBps, figures.checkedRoundSeconds * 1e3,
                           figures.foldSeconds * 1e3, figures.foldGBps, figures.probeSeconds * 1e3, figures.probeGBps, figures.roundToProbe * 100,
                           figures.arrivalRoundSeconds * 1e3, figures.arrivalToProbe * 100))
                fedAvg.append(figures)
            }
            for shape in robustShapes where shape.parameters == parameters {
                for strategy in [AggregationStrategy.fedMedian, .trimmedMean(beta: 0.2), .krum(f: 2), .multiKrum(f: 2, m: shape.clients / 2)] {
                    let figures = try measureRobust(inputs, clients: shape.clients, strategy: strategy, repetitions: repetitions)
                    log(String(format: "%@ %@: add %.2f ms, finish %.2f ms", strategy.name, shape.description,
                               figures.addSeconds * 1e3, figures.finishSeconds * 1e3))
                    robust.append(figures)
                }
            }
        }
        return Report(threads: ParallelChunks.threadCount, decode: decode, fedAvg: fedAvg, robust: robust)
    }
}
