/// The running, example-weighted sum behind FedAvg, FedProx and the FedOpt family: memory is
/// one model's size however many clients report. Sums are float32 for the reason given on
/// `WeightedAverageAccumulator` (a fold is then a 12-byte-per-parameter stream).
///
/// No buffer is allocated for the sum: the first update's own arrays become it (scaled in
/// the pass that folds the updates arriving with it), and `takeMean` turns it into the result
/// in place. A fresh 40 MB buffer costs ten thousand page faults, which on a small VM take
/// longer than folding an update; when the caller hands its updates over (does not keep
/// them), a whole round allocates nothing.
///
/// A copy of a fold (of its aggregator) shares the sums until either is changed; the changed
/// one then writes new sums while reading the shared ones, in the same single pass.
package struct MeanFold: Sendable {
    package init() {}

    private var sums: [SumBuffer] = []
    /// Σ examples of the folded updates, exact.
    private(set) var totalExamples = 0
    private(set) var count = 0
    /// Σ w·(1 − s) over clipped updates. A clipped update is g + s·(u − g) = s·u + (1 − s)·g, so
    /// the fold adds (w·s)·u and the global model's share is added once, in `takeMean`.
    private var globalShare: Double = 0

    package typealias Item = (update: ModelParameters, examples: Int, scale: Double)

    /// Folds already-checked updates, in order, up to `FoldKernels.maximumSources` per pass over
    /// the sum. Takes them out of `group`: the round's first update becomes the sum without a
    /// copy, scaled in the same pass that folds the updates arriving with it.
    package mutating func fold(_ group: inout [Item]) {
        var start = 0
        while start < group.count {
            let end = min(start + FoldKernels.maximumSources, group.count)
            let coefficients = group[start..<end].map { Float(Double($0.examples) * $0.scale) }
            let fromZero = count == 0
            if fromZero { adoptAsSum(&group[start]) }
            let others = group[(fromZero ? start + 1 : start)..<end]
            for index in sums.indices where !sums[index].values.isEmpty {
                withBaseAddresses(ArraySlice(others.map { $0.update.tensors[index].values })) { x in
                    _ = rewrite(index) { s, y, range in
                        FoldKernels.fold(coefficients, fromZero ? [s] + x : x, from: s, into: y, range: range, fromZero: fromZero)
                        return true
                    }
                }
            }
            group[start..<end].forEach { record($0) }
            start = end
        }
        group.removeAll(keepingCapacity: true)
    }

    /// Moves the first update's arrays out of `item` to become the (still unscaled) sum.
    private mutating func adoptAsSum(_ item: inout Item) {
        for index in item.update.tensors.indices {
            var values: [Float] = []
            swap(&values, &item.update.tensors[index].values)
            sums.append(SumBuffer(values))
        }
    }

    private mutating func record(_ item: Item) {
        totalExamples += item.examples
        globalShare += Double(item.examples) * (1 - item.scale)
        count += 1
    }

    /// (Σ (w·s)·u + Σ w·(1 − s)·g) / Σ w, computed in the sum's own arrays, which it hands out:
    /// the fold is empty afterwards.
    mutating func takeMean(global: ModelParameters) throws(RoundAggregationError) -> ModelParameters {
        guard count > 0, totalExamples > 0, sums.count == global.tensors.count else { throw .noUpdates }
        let inverse = Float(1 / Double(totalExamples))
        let share = Float(globalShare)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(sums.count)
        for (index, template) in global.tensors.enumerated() {
            let finite = template.values.withUnsafeBufferPointer { g in
                guard let g = g.baseAddress else { return true }
                return rewrite(index) { s, y, range in FoldKernels.mean(s, global: g, c: share, inverse: inverse, into: y, range: range) }
            }
            guard finite else { throw .nonFiniteResult(tensor: template.name) }
            tensors.append(Tensor(name: template.name, shape: template.shape, values: sums[index].values))
        }
        self = MeanFold()
        return ModelParameters(tensors: tensors)
    }

    /// Runs `kernel(source, destination, range)` over sum tensor `index` on all cores; true when
    /// every part returned true. In place when this fold alone holds the tensor; otherwise into
    /// a new array, reading the shared one in the same pass (a copy first would add a pass).
    private mutating func rewrite(
        _ index: Int, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Bool
    ) -> Bool {
        let count = sums[index].values.count
        if isKnownUniquelyReferenced(&sums[index]) {
            return sums[index].values.withUnsafeMutableBufferPointer { buffer in
                guard let y = buffer.baseAddress else { return true }
                return ParallelChunks.all(count: count) { kernel(UnsafePointer(y), y, $0) }
            }
        }
        var result = true
        let values = sums[index].values.withUnsafeBufferPointer { source in
            [Float](unsafeUninitializedCapacity: count) { destination, initialized in
                guard let s = source.baseAddress, let y = destination.baseAddress else { return }
                HugePageBuffer.advise(y, bytes: count * MemoryLayout<Float>.size)
                result = ParallelChunks.all(count: count) { kernel(s, y, $0) }
                initialized = count
            }
        }
        sums[index] = SumBuffer(values)
        return result
    }
}

/// One tensor of a running sum. A class so that `MeanFold` can tell (with
/// `isKnownUniquelyReferenced`) when a copy of the fold shares it. `@unchecked Sendable` is
/// safe because a shared buffer is never written: `rewrite` replaces it instead.
private final class SumBuffer: @unchecked Sendable {
    var values: [Float]

    init(_ values: [Float]) {
        self.values = values
    }
}
