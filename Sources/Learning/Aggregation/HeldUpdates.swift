/// The updates a robust strategy (median, trimmed mean, Krum) must see all at once. Each one is
/// copied exactly once, into its own flat float32 buffer with every tensor back to back, after
/// it has passed its checks; nothing is copied again, and a refused update allocates nothing.
/// Clipped updates are stored already clipped (g + s·(u − g)), so every strategy sees the same values.
///
/// A class so the buffers are freed exactly once; `RoundAggregator` copies it before mutating
/// when it is shared (copy-on-write), which is what makes the `@unchecked Sendable` safe:
/// a shared instance is never written.
final class HeldUpdates: @unchecked Sendable {
    /// Where each tensor starts in a flat buffer.
    let offsets: [Int]
    let counts: [Int]
    let parameterCount: Int
    private(set) var buffers: [UnsafeMutablePointer<Float>] = []
    private(set) var examples: [Int] = []

    init(layout: ModelParameters) {
        counts = layout.tensors.map(\.values.count)
        var offsets: [Int] = []
        var total = 0
        for count in counts {
            offsets.append(total)
            total += count
        }
        self.offsets = offsets
        parameterCount = total
    }

    deinit {
        for buffer in buffers { HugePageBuffer.deallocate(buffer) }
    }

    var count: Int { buffers.count }

    /// A deep copy, for copy-on-write.
    func copy() -> HeldUpdates {
        let copy = HeldUpdates(counts: counts, offsets: offsets, parameterCount: parameterCount)
        for (buffer, examples) in zip(buffers, examples) {
            let duplicate = HugePageBuffer.allocate(floats: parameterCount)
            duplicate.initialize(from: buffer, count: parameterCount)
            copy.buffers.append(duplicate)
            copy.examples.append(examples)
        }
        return copy
    }

    private init(counts: [Int], offsets: [Int], parameterCount: Int) {
        self.counts = counts
        self.offsets = offsets
        self.parameterCount = parameterCount
    }

    /// Stores an update that has passed `UpdateCheck`, clipped to g + s·(u − g) when s < 1.
    func append(_ update: ModelParameters, examples: Int, scale: Double, global: ModelParameters) {
        let buffer = HugePageBuffer.allocate(floats: parameterCount)
        let s = Float(scale)
        for (index, tensor) in update.tensors.enumerated() where counts[index] > 0 {
            let destination = buffer + offsets[index]
            tensor.values.withUnsafeBufferPointer { source in
                global.tensors[index].values.withUnsafeBufferPointer { base in
                    guard let source = source.baseAddress, let base = base.baseAddress else { return }
                    ParallelChunks.forEach(count: counts[index]) { range in
                        if scale >= 1 {
                            (destination + range.lowerBound).initialize(from: source + range.lowerBound, count: range.count)
                        } else {
                            for i in range { (destination + i).initialize(to: base[i] + s * (source[i] - base[i])) }
                        }
                    }
                }
            }
        }
        buffers.append(buffer)
        self.examples.append(examples)
    }

    /// The stored values of update `index` as model parameters shaped like `layout`.
    func parameters(at index: Int, layout: ModelParameters) -> ModelParameters {
        ModelParameters(tensors: layout.tensors.enumerated().map { tensorIndex, template in
            let start = buffers[index] + offsets[tensorIndex]
            return Tensor(name: template.name, shape: template.shape, values: Array(UnsafeBufferPointer(start: start, count: counts[tensorIndex])))
        })
    }
}
