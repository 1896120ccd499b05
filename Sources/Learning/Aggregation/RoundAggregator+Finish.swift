extension RoundAggregator {
    /// The next global model and server optimizer state; this ends the round (the running sum
    /// becomes the result in place). Throws `.noUpdates` before any update,
    /// `.invalidConfiguration` when Krum's `f` or `m` do not fit the number of updates, and
    /// `.nonFiniteResult` if the aggregate overflowed.
    public consuming func finish() throws(RoundAggregationError) -> (model: ModelParameters, state: ServerOptimizerState) {
        guard acceptedCount > 0 else { throw .noUpdates }
        let strategy = configuration.strategy
        if fold != nil {
            flush()
            let global = global
            guard let average = try fold?.takeMean(global: global) else { throw .noUpdates }
            guard let rule = ServerOptimizer.rule(for: strategy) else { return (average, initialState) }
            return try ServerOptimizer.step(rule, global: global, average: average, state: initialState)
        }
        guard let held else { throw .noUpdates }
        let problems = strategy.validate(updateCount: held.count)
        guard problems.isEmpty else { throw .invalidConfiguration(problems) }
        let model: ModelParameters
        switch strategy {
        case .fedMedian:
            model = CoordinateSelection.aggregate(held, layout: global, statistic: .median)
        case let .trimmedMean(beta):
            let cut = AggregationStrategy.trimmedCount(beta: beta, updates: held.count)
            model = CoordinateSelection.aggregate(held, layout: global, statistic: .trimmedMean(kept: cut..<held.count - cut))
        case let .krum(f):
            let best = KrumSelection.best(KrumSelection.scores(held, global: global, f: f), count: 1)
            model = held.parameters(at: best[0], layout: global)
        case let .multiKrum(f, m):
            let best = KrumSelection.best(KrumSelection.scores(held, global: global, f: f), count: m)
            model = held.weightedMean(of: best, layout: global)
        default:
            throw .invalidConfiguration([AggregationFieldError(field: "strategy.name", problem: "\(strategy.name) does not hold updates")])
        }
        for tensor in model.tensors where !UpdateCheck.allFinite(tensor.values) { throw .nonFiniteResult(tensor: tensor.name) }
        return (model, initialState)
    }
}

extension RoundAggregator {
    /// `finish()` for an aggregator kept in a variable (a round's state): it is emptied first, so
    /// its running sum has one owner and becomes the result in place, and the round's global
    /// model is released with it. Afterwards it holds nothing and refuses every update.
    public mutating func finishInPlace() throws(RoundAggregationError) -> (model: ModelParameters, state: ServerOptimizerState) {
        let taken = self
        self = RoundAggregator(emptiedFrom: taken)
        return try (consume taken).finish()
    }
}

extension AggregationStrategy {
    /// How many values the trimmed mean drops from each end of n: Flower's `int(beta · n)`.
    /// `beta` is read as the decimal the job spec wrote (0.35, not 0.3499999940…), as Python
    /// would hold it, so ⌊0.35 · 20⌋ is 7 here as in Flower.
    static func trimmedCount(beta: Float, updates n: Int) -> Int {
        let decimal = Double(beta.description) ?? Double(beta)
        return min(Int(decimal * Double(n)), (n - 1) / 2)
    }
}

extension HeldUpdates {
    /// Σ wᵢ·uᵢ / Σ wᵢ over the updates at `indices`, weighted by their example counts, in order.
    func weightedMean(of indices: [Int], layout: ModelParameters) -> ModelParameters {
        let total = indices.reduce(0) { $0 + examples[$1] }
        let inverse = Float(1 / Double(total))
        return ModelParameters(tensors: layout.tensors.enumerated().map { tensorIndex, template in
            let count = counts[tensorIndex]
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBufferPointer { output in
                guard let out = output.baseAddress else { return }
                ParallelChunks.forEach(count: count) { range in
                    for index in indices {
                        FoldKernels.fold([Float(examples[index])], [UnsafePointer(buffers[index] + offsets[tensorIndex])], into: out, range: range)
                    }
                    VectorKernels.scaledCopy(inverse, out + range.lowerBound, to: out + range.lowerBound, count: range.count)
                }
            }
            return Tensor(name: template.name, shape: template.shape, values: values)
        })
    }
}
