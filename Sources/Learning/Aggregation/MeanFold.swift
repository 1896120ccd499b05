/// The running, example-weighted sum behind FedAvg, FedProx and the FedOpt family: memory is
/// one model's size however many clients report. Sums are float32 for the reason given on
/// `WeightedAverageAccumulator` (a fold is then a 12-byte-per-parameter stream).
///
/// No buffer is allocated for the sum: the first update's own arrays become it (scaled in
/// place), and `takeMean` turns it into the result in place. A fresh 40 MB buffer costs ten
/// thousand page faults, which on a small VM take longer than folding an update; when the
/// caller hands its updates over (does not keep them), a whole round allocates nothing.
struct MeanFold: Sendable {
    private var sums: [[Float]] = []
    /// Σ examples of the folded updates, exact.
    private(set) var totalExamples = 0
    private(set) var count = 0
    /// Σ w·(1 − s) over clipped updates. A clipped update is g + s·(u − g) = s·u + (1 − s)·g, so
    /// the fold adds (w·s)·u and the global model's share is added once, in `takeMean`.
    private var globalShare: Double = 0

    typealias Item = (update: ModelParameters, examples: Int, scale: Double)

    /// Folds already-checked updates, in order, up to four per pass over the sum. Takes them
    /// out of `group`, so the first update of the round can become the sum without a copy.
    mutating func fold(_ group: inout [Item]) {
        if count == 0, !group.isEmpty {
            var first = group.removeFirst()
            let coefficient = Float(Double(first.examples) * first.scale)
            for index in first.update.tensors.indices {
                var values: [Float] = []
                swap(&values, &first.update.tensors[index].values)
                let length = values.count
                values.withUnsafeMutableBufferPointer { buffer in
                    guard let y = buffer.baseAddress else { return }
                    ParallelChunks.forEach(count: length) { range in FoldKernels.scale(y, by: coefficient, range: range) }
                }
                sums.append(values)
            }
            record(first)
        }
        var start = 0
        while start < group.count {
            let slice = group[start..<min(start + 4, group.count)]
            let coefficients = slice.map { Float(Double($0.examples) * $0.scale) }
            for index in sums.indices where !sums[index].isEmpty {
                let sources = ArraySlice(slice.map { $0.update.tensors[index].values })
                let length = sums[index].count
                sums[index].withUnsafeMutableBufferPointer { sum in
                    guard let y = sum.baseAddress else { return }
                    withBaseAddresses(sources) { x in
                        ParallelChunks.forEach(count: length) { range in
                            FoldKernels.fold(coefficients, x, into: y, range: range)
                        }
                    }
                }
            }
            slice.forEach { record($0) }
            start += 4
        }
        group.removeAll(keepingCapacity: true)
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
            var values: [Float] = []
            swap(&values, &sums[index])
            let length = values.count
            values.withUnsafeMutableBufferPointer { sum in
                template.values.withUnsafeBufferPointer { g in
                    guard let sum = sum.baseAddress, let g = g.baseAddress else { return }
                    ParallelChunks.forEach(count: length) { range in
                        FoldKernels.mean(UnsafePointer(sum), global: g, c: share, inverse: inverse, into: sum, range: range)
                    }
                }
            }
            guard UpdateCheck.allFinite(values) else { throw .nonFiniteResult(tensor: template.name) }
            tensors.append(Tensor(name: template.name, shape: template.shape, values: values))
        }
        self = MeanFold()
        return ModelParameters(tensors: tensors)
    }
}
