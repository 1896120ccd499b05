/// Coordinate-wise median and trimmed mean over the held updates.
///
/// Blocked transposition: for 16 coordinates at a time, one 16-float vector is loaded from each
/// update into a small tile (n vectors, in L1), a `SortingNetwork` sorts the tile lane by lane
/// with vector min/max, and the statistic is read off the sorted rows. The updates are never
/// transposed or copied as a whole; coordinates are split across cores.
enum CoordinateSelection {
    enum Statistic {
        case median
        /// Mean of the sorted values at positions `kept` (Flower's `trim_mean`).
        case trimmedMean(kept: Range<Int>)
    }

    typealias Vector = VectorKernels.Vector

    static func aggregate(_ held: HeldUpdates, layout: ModelParameters, statistic: Statistic) -> ModelParameters {
        let n = held.count
        let wanted: Range<Int> = switch statistic {
        case .median: (n - 1) / 2..<n / 2 + 1
        case let .trimmedMean(kept): kept
        }
        let network = SortingNetwork(count: n, wanted: wanted)
        let flatPairs = network.pairs.flatMap { [$0.low, $0.high] }
        var tensors: [Tensor] = []
        for (index, template) in layout.tensors.enumerated() {
            let count = held.counts[index]
            let bases = held.buffers.map { UnsafePointer($0 + held.offsets[index]) }
            let values = [Float](unsafeUninitializedCapacity: count) { output, initialized in
                guard let out = output.baseAddress else { return }
                bases.withUnsafeBufferPointer { bases in
                    flatPairs.withUnsafeBufferPointer { pairs in
                        ParallelChunks.forEach(count: count) { range in
                            let tile = UnsafeMutablePointer<Vector>.allocate(capacity: n)
                            defer { tile.deallocate() }
                            select(bases, range: range, pairs: pairs, tile: tile, statistic: statistic, wanted: wanted, into: out)
                        }
                    }
                }
                initialized = count
            }
            tensors.append(Tensor(name: template.name, shape: template.shape, values: values))
        }
        return ModelParameters(tensors: tensors)
    }

    private static func select(
        _ bases: UnsafeBufferPointer<UnsafePointer<Float>>, range: Range<Int>, pairs: UnsafeBufferPointer<Int>,
        tile: UnsafeMutablePointer<Vector>, statistic: Statistic, wanted: Range<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        let n = bases.count
        let scale: Float = wanted.count == 2 ? 0.5 : 1 / Float(wanted.count)
        var start = range.lowerBound
        while start < range.upperBound {
            let lanes = min(VectorKernels.width, range.upperBound - start)
            if lanes == VectorKernels.width {
                for row in 0..<n { tile[row] = VectorKernels.load(bases[row], start) }
            } else {
                for row in 0..<n {
                    var vector = Vector()
                    for lane in 0..<lanes { vector[lane] = bases[row][start + lane] }
                    tile[row] = vector
                }
            }
            var pair = 0
            while pair < pairs.count {
                let (low, high) = (pairs[pair], pairs[pair + 1])
                let (a, b) = (tile[low], tile[high])
                let swapped = b .< a
                tile[low] = a.replacing(with: b, where: swapped)
                tile[high] = b.replacing(with: a, where: swapped)
                pair += 2
            }
            var result: Vector
            switch statistic {
            case .median where wanted.count == 1:
                result = tile[wanted.lowerBound]
            default:
                result = Vector()
                for row in wanted { result += tile[row] }
                result *= Vector(repeating: scale)
            }
            if lanes == VectorKernels.width {
                VectorKernels.store(result, out, start)
            } else {
                for lane in 0..<lanes { (out + start + lane).initialize(to: result[lane]) }
            }
            start += VectorKernels.width
        }
    }
}
