/// Krum scores over the held updates (Blanchard et al. 2017, with Flower's `select_multikrum`
/// rules): the score of update i is the sum of its squared distances to its n − f − 2 nearest
/// other updates (at least 1), and the best updates are those with the lowest scores.
///
/// Distances come from the Gram matrix of the deltas dᵢ = uᵢ − g: ‖uᵢ − uⱼ‖² = Gᵢᵢ + Gⱼⱼ − 2Gᵢⱼ.
/// Using deltas instead of raw weights avoids cancellation (deltas are small next to the
/// weights). The model is cut into blocks of `block` coordinates; for each block the deltas
/// of all n updates are formed once in a tile (n × block floats, in L2) and every pair's dot
/// product is taken there, so each update is read from memory once rather than n times.
enum KrumSelection {
    static let block = 1024
    /// Fixed work split (independent of the core count) so the float64 sums, and therefore the
    /// selection, are the same on every machine.
    static let parts = 8

    static func scores(_ held: HeldUpdates, global: ModelParameters, f: Int) -> [Double] {
        let n = held.count
        let gram = gramMatrix(held, global: global)
        var scores: [Double] = []
        let nearest = min(max(1, n - f - 2), n - 1)
        for i in 0..<n {
            var distances: [Double] = []
            for j in 0..<n where j != i {
                distances.append(max(0, gram[i * n + i] + gram[j * n + j] - 2 * gram[min(i, j) * n + max(i, j)]))
            }
            distances.sort()
            scores.append(distances.prefix(nearest).reduce(0, +))
        }
        return scores
    }

    /// Indices of the `count` lowest scores, ties broken by the lower index.
    static func best(_ scores: [Double], count: Int) -> [Int] {
        Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(count))
    }

    /// Upper triangle (i <= j) of the Gram matrix of the deltas, row-major n × n, in float64.
    private static func gramMatrix(_ held: HeldUpdates, global: ModelParameters) -> [Double] {
        let n = held.count
        var blocks: [(tensor: Int, range: Range<Int>)] = []
        for (tensor, count) in held.counts.enumerated() {
            for start in stride(from: 0, to: count, by: block) { blocks.append((tensor, start..<min(count, start + block))) }
        }
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: parts * n * n)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0)
        let globals = global.tensors.map(\.values)
        let parallel = held.parameterCount * n >= ParallelChunks.minimumParallelCount
        ParallelChunks.forEachPart(count: blocks.count, parts: parallel ? min(parts, blocks.count) : 1, alignment: 1) { part, blockRange in
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: n * block)
            defer { tile.deallocate() }
            let gram = partials.baseAddress.map { $0 + part * n * n }
            for (tensor, range) in blocks[blockRange] {
                globals[tensor].withUnsafeBufferPointer { g in
                    guard let g = g.baseAddress, let gram else { return }
                    for row in 0..<n {
                        let source = held.buffers[row] + held.offsets[tensor]
                        for k in range { tile[row * block + k - range.lowerBound] = source[k] - g[k] }
                    }
                    let length = range.count
                    for i in 0..<n {
                        var j = i
                        while j + 4 <= n {
                            let products = VectorKernels.dot4(tile + i * block, tile + j * block, stride: block, count: length)
                            for k in 0..<4 { gram[i * n + j + k] += Double(products[k]) }
                            j += 4
                        }
                        while j < n {
                            gram[i * n + j] += Double(VectorKernels.dot(tile + i * block, tile + j * block, count: length))
                            j += 1
                        }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: n * n)
        for part in 0..<parts {
            for index in 0..<(n * n) { total[index] += partials[part * n * n + index] }
        }
        return total
    }
}

extension VectorKernels {
    /// The dot products of `a` with four rows `b`, `b + stride`, `b + 2·stride`, `b + 3·stride`:
    /// each load of `a` serves four products, so the loop is bound by arithmetic, not loads.
    static func dot4(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, stride: Int, count: Int) -> SIMD4<Float> {
        typealias V = SIMD8<Float>
        func load8(_ p: UnsafePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }
        let (b0, b1, b2, b3) = (b, b + stride, b + 2 * stride, b + 3 * stride)
        var (s0, s1, s2, s3) = (V(), V(), V(), V())
        var i = 0
        while i + 8 <= count {
            let x = load8(a, i)
            s0 += x * load8(b0, i)
            s1 += x * load8(b1, i)
            s2 += x * load8(b2, i)
            s3 += x * load8(b3, i)
            i += 8
        }
        var result = SIMD4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
        while i < count {
            result += SIMD4(repeating: a[i]) * SIMD4(b0[i], b1[i], b2[i], b3[i])
            i += 1
        }
        return result
    }
}
