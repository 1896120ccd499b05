import Learning
import Foundation

/// Synthetic round inputs: a global model and updates scattered around it, one tensor each.
/// The updates are what the service's decoder hands the aggregator: each one encoded to
/// safetensors and decoded back with `decodeFinite`.
struct BenchmarkInputs {
    let global: ModelParameters
    let updates: [FiniteParameters]

    init(clients: Int, parameters: Int) throws {
        var generator = SeededGenerator(seed: 42)
        let base = (0..<parameters).map { _ in generator.nextFloat(in: -1, 1) }
        global = ModelParameters(tensors: [Tensor(name: "weights", shape: [parameters], values: base)])
        updates = try (0..<clients).map { client in
            var generator = SeededGenerator(seed: UInt64(client))
            let values = base.map { $0 + generator.nextFloat(in: -0.01, 0.01) }
            let bytes = SafeTensors.encode(ModelParameters(tensors: [Tensor(name: "weights", shape: [parameters], values: values)]))
            return try SafeTensors.decodeFinite(bytes).parameters
        }
    }
}

extension AggregationBenchmark {
    static func measureFedAvg(_ inputs: BenchmarkInputs, clients: Int, repetitions: Int) throws -> FedAvgFigures {
        let updates = Array(inputs.updates.prefix(clients))
        let models = updates.map(\.parameters)
        let shape = Shape(clients: clients, parameters: inputs.global.parameterCount)
        var best = FedAvgFigures(
            shape: shape, roundSeconds: .infinity, arrivalRoundSeconds: .infinity, checkedRoundSeconds: .infinity, foldSeconds: .infinity, probeSeconds: .infinity
        )
        for _ in 0..<max(1, repetitions) {
            // Interleaved so that all of them see the same state of the machine. Each round's
            // first update is a private copy made outside the timing, as a freshly decoded
            // update would be, so that it can become the running sum.
            best.probeSeconds = min(best.probeSeconds, time { _ = probe(models) })
            best.roundSeconds = try min(best.roundSeconds, timedRound(inputs.global, first: fresh(updates[0]), rest: updates.dropFirst(), verified: true))
            best.arrivalRoundSeconds = try min(
                best.arrivalRoundSeconds, timedRound(inputs.global, first: fresh(updates[0]), rest: updates.dropFirst(), verified: true, pendingByteBudget: 0))
            best.checkedRoundSeconds = try min(
                best.checkedRoundSeconds, timedRound(inputs.global, first: fresh(updates[0]), rest: updates.dropFirst(), verified: false))
            var fold = MeanFold()
            var group = [(update: fresh(updates[0]).parameters, examples: 100, scale: 1.0)]
            group += updates.enumerated().dropFirst().map { (update: $1.parameters, examples: 100 + $0, scale: 1) }
            best.foldSeconds = min(best.foldSeconds, time { fold.fold(&group) })
        }
        return best
    }

    /// A FedAvg round from the aggregator's creation to `finish()`. `verified` adds the updates
    /// as `FiniteParameters`, otherwise as `ModelParameters` (checked for NaN and infinity again).
    static func timedRound(
        _ global: ModelParameters, first: consuming FiniteParameters, rest: ArraySlice<FiniteParameters>, verified: Bool, pendingByteBudget: Int = 64 << 20
    ) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var aggregator = try RoundAggregator(configuration: AggregationConfiguration(strategy: .fedAvg), global: global, pendingByteBudget: pendingByteBudget)
        if verified { try aggregator.add(consume first, examples: 100) } else { try aggregator.add(first.take(), examples: 100) }
        for (offset, update) in rest.enumerated() {
            if verified { try aggregator.add(update, examples: 101 + offset) } else { try aggregator.add(update.parameters, examples: 101 + offset) }
        }
        _ = try (consume aggregator).finish()  // handed over, as "this ends the round" intends: the sum becomes the result in place
        return seconds(clock.now - start)
    }

    static func measureRobust(_ inputs: BenchmarkInputs, clients: Int, strategy: AggregationStrategy, repetitions: Int) throws -> RobustFigures {
        let updates = inputs.updates.prefix(clients)
        var best = RobustFigures(
            shape: Shape(clients: clients, parameters: inputs.global.parameterCount), strategy: strategy,
            addSeconds: .infinity, finishSeconds: .infinity)
        for _ in 0..<max(1, repetitions) {
            var aggregator = try RoundAggregator(strategy: strategy, global: inputs.global)
            best.addSeconds = try min(best.addSeconds, time {
                for update in updates { try aggregator.add(update, examples: 100) }
            })
            best.finishSeconds = try min(best.finishSeconds, time { _ = try aggregator.finish() })
        }
        return best
    }

    /// A copy of `update` that shares no storage with it.
    static func fresh(_ update: FiniteParameters) -> FiniteParameters {
        let model = update.parameters
        return FiniteParameters(alreadyChecked: ModelParameters(tensors: model.tensors.map { Tensor(name: $0.name, shape: $0.shape, values: $0.values.map { $0 }) }))
    }

    /// Σ of every float of every update, each tensor split across the cores: a pure read stream.
    static func probe(_ updates: [ModelParameters]) -> Float {
        var total: Float = 0
        for update in updates {
            for tensor in update.tensors {
                total += tensor.values.withUnsafeBufferPointer { buffer -> Float in
                    guard let base = buffer.baseAddress else { return 0 }
                    let partials = UnsafeMutableBufferPointer<Float>.allocate(capacity: ParallelChunks.threadCount)
                    defer { partials.deallocate() }
                    partials.initialize(repeating: 0)
                    let parts = ParallelChunks.parts(for: buffer.count)
                    ParallelChunks.forEachPart(count: buffer.count, parts: parts) { part, range in
                        partials[part] = BandwidthProbe.sum(base + range.lowerBound, count: range.count)
                    }
                    return partials.reduce(0, +)
                }
            }
        }
        return total
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        try seconds(ContinuousClock().measure(body))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// The bandwidth probe's own kernel: a plain sum, bound by loads (nothing else to wait for).
enum BandwidthProbe {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, _ offset: Int) -> Vector {
        UnsafeRawPointer(pointer + offset).loadUnaligned(as: Vector.self)
    }

    /// Σ x[i] with four accumulators, so the loop is bound by loads, not by add latency.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var a = Vector(), b = Vector(), c = Vector(), d = Vector()
        var index = 0
        while index + 4 * width <= count {
            a += load(x, index)
            b += load(x, index + width)
            c += load(x, index + 2 * width)
            d += load(x, index + 3 * width)
            index += 4 * width
        }
        var total = ((a + b) + (c + d)).sum()
        while index < count {
            total += x[index]
            index += 1
        }
        return total
    }
}
