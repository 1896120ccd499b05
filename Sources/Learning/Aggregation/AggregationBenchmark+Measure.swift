import Foundation

/// Synthetic round inputs: a global model and updates scattered around it, one tensor each.
struct BenchmarkInputs {
    let global: ModelParameters
    let updates: [ModelParameters]

    init(clients: Int, parameters: Int) {
        var generator = SeededGenerator(seed: 42)
        let base = (0..<parameters).map { _ in generator.nextFloat(in: -1, 1) }
        global = ModelParameters(tensors: [Tensor(name: "weights", shape: [parameters], values: base)])
        updates = (0..<clients).map { client in
            var generator = SeededGenerator(seed: UInt64(client))
            let values = base.map { $0 + generator.nextFloat(in: -0.01, 0.01) }
            return ModelParameters(tensors: [Tensor(name: "weights", shape: [parameters], values: values)])
        }
    }
}

extension AggregationBenchmark {
    static func measureFedAvg(_ inputs: BenchmarkInputs, clients: Int, repetitions: Int) throws -> FedAvgFigures {
        let updates = Array(inputs.updates.prefix(clients))
        let shape = Shape(clients: clients, parameters: inputs.global.parameterCount)
        var best = FedAvgFigures(shape: shape, roundSeconds: .infinity, foldSeconds: .infinity, probeSeconds: .infinity)
        for _ in 0..<max(1, repetitions) {
            // Interleaved so that all three see the same state of the machine. The first update
            // is a private copy made outside the timing, as a freshly decoded update would be,
            // so that it can become the running sum.
            best.probeSeconds = min(best.probeSeconds, time { _ = probe(updates) })
            var first = fresh(updates[0])
            best.roundSeconds = try min(best.roundSeconds, time {
                var aggregator = try RoundAggregator(strategy: .fedAvg, global: inputs.global)
                try aggregator.add(first, examples: 100)
                first = ModelParameters(tensors: [])
                for (index, update) in updates.enumerated().dropFirst() { try aggregator.add(update, examples: 100 + index) }
                _ = try aggregator.finish()
            })
            var fold = MeanFold()
            var group = [(update: fresh(updates[0]), examples: 100, scale: 1.0)]
            group += updates.enumerated().dropFirst().map { (update: $1, examples: 100 + $0, scale: 1) }
            best.foldSeconds = min(best.foldSeconds, time { fold.fold(&group) })
        }
        return best
    }

    static func measureRobust(_ inputs: BenchmarkInputs, clients: Int, strategy: AggregationStrategy, repetitions: Int) throws -> RobustFigures {
        let updates = Array(inputs.updates.prefix(clients))
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

    /// A copy of `model` that shares no storage with it.
    static func fresh(_ model: ModelParameters) -> ModelParameters {
        ModelParameters(tensors: model.tensors.map { Tensor(name: $0.name, shape: $0.shape, values: $0.values.map { $0 }) })
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
                        partials[part] = VectorKernels.sum(base + range.lowerBound, count: range.count)
                    }
                    return partials.reduce(0, +)
                }
            }
        }
        return total
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

extension VectorKernels {
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
