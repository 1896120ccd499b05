/// The running, example-weighted sum behind FedAvg, FedProx and the FedOpt family: memory is
/// one model's size however many clients report. Sums are float32 for the reason given on
/// `WeightedAverageAccumulator` (a fold is then a 12-byte-per-parameter stream).
struct MeanFold: Sendable {
    private var sums: [[Float]]
    /// Σ examples of the folded updates, exact.
    private(set) var totalExamples = 0
    private(set) var count = 0
    /// Σ w·(1 − s) over clipped updates. A clipped update is g + s·(u − g) = s·u + (1 − s)·g, so
    /// the fold adds (w·s)·u and the global model's share is added once, in `mean(global:)`.
    private var globalShare: Double = 0

    init(layout: ModelParameters) {
        sums = layout.tensors.map { [Float](repeating: 0, count: $0.values.count) }
    }

    /// Folds already-validated updates, in order, up to four per pass over the sum.
    /// `scale` is the clipping factor s (1 when not clipped).
    mutating func fold(_ group: [(update: ModelParameters, examples: Int, scale: Double)]) {
        var start = 0
        while start < group.count {
            let slice = group[start..<min(start + 4, group.count)]
            let coefficients = slice.map { Float(Double($0.examples) * $0.scale) }
            for index in sums.indices where !sums[index].isEmpty {
                let sources = ArraySlice(slice.map { $0.update.tensors[index].values })
                let count = sums[index].count
                sums[index].withUnsafeMutableBufferPointer { sum in
                    guard let y = sum.baseAddress else { return }
                    withBaseAddresses(sources) { x in
                        ParallelChunks.forEach(count: count) { range in
                            FoldKernels.fold(coefficients, x, into: y, range: range)
                        }
                    }
                }
            }
            for item in slice {
                totalExamples += item.examples
                globalShare += Double(item.examples) * (1 - item.scale)
                count += 1
            }
            start += 4
        }
    }

    /// (Σ (w·s)·u + Σ w·(1 − s)·g) / Σ w.
    func mean(global: ModelParameters) throws(RoundAggregationError) -> ModelParameters {
        guard count > 0, totalExamples > 0 else { throw .noUpdates }
        let inverse = Float(1 / Double(totalExamples))
        let share = Float(globalShare)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(sums.count)
        for (index, template) in global.tensors.enumerated() {
            let count = template.values.count
            let values = [Float](unsafeUninitializedCapacity: count) { output, initialized in
                sums[index].withUnsafeBufferPointer { sum in
                    template.values.withUnsafeBufferPointer { g in
                        guard let sum = sum.baseAddress, let g = g.baseAddress, let out = output.baseAddress else { return }
                        ParallelChunks.forEach(count: count) { range in
                            FoldKernels.mean(sum, global: g, c: share, inverse: inverse, into: out, range: range)
                        }
                    }
                }
                initialized = count
            }
            let tensor = Tensor(name: template.name, shape: template.shape, values: values)
            guard tensor.allFinite else { throw .nonFiniteResult(tensor: template.name) }
            tensors.append(tensor)
        }
        return ModelParameters(tensors: tensors)
    }
}
