extension ParallelChunks {
    /// Elements per partial sum of `blockSum`; a fixed block size makes reductions give the same
    /// bits on any number of threads, so a replayed round clips exactly like the original.
    static let reductionBlock = 1 << 16

    /// Σ over fixed blocks of `0..<count` of `body(block)`, added in block order.
    static func blockSum(count: Int, _ body: (Range<Int>) -> Double) -> Double {
        let blocks = (count + reductionBlock - 1) / reductionBlock
        guard blocks > 1 else { return count > 0 ? body(0..<count) : 0 }
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: blocks)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0)
        forEachPart(count: blocks, parts: min(blocks, parts(for: count)), alignment: 1) { _, blockRange in
            for block in blockRange {
                let start = block * reductionBlock
                partials[block] = body(start..<min(count, start + reductionBlock))
            }
        }
        return partials.reduce(0, +)
    }

    /// True when `body` holds for every chunk of `0..<count` (chunks checked concurrently).
    static func all(count: Int, _ body: (Range<Int>) -> Bool) -> Bool {
        let parts = parts(for: count)
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: parts)
        defer { results.deallocate() }
        results.initialize(repeating: true)
        forEachPart(count: count, parts: parts) { part, range in results[part] = body(range) }
        return results.allSatisfy { $0 }
    }
}

extension VectorKernels {
    /// Σ (x[i] − y[i])² over `range`, in float32 with two accumulators.
    static func squaredDistance(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, range: Range<Int>) -> Float {
        var first = Vector(), second = Vector()
        var index = range.lowerBound
        while index + 2 * width <= range.upperBound {
            let d0 = load(x, index) - load(y, index), d1 = load(x, index + width) - load(y, index + width)
            first += d0 * d0
            second += d1 * d1
            index += 2 * width
        }
        var total = (first + second).sum()
        while index < range.upperBound {
            let d = x[index] - y[index]
            total += d * d
            index += 1
        }
        return total
    }
}
