/// The streaming kernels of FedAvg. Each folds up to four updates into the running sum in one
/// pass, applying them strictly in order — `((y + a₀x₀) + a₁x₁) + …` — so folding k updates in
/// one pass gives exactly the same bits as k passes of one. That makes the result independent
/// of how arrivals happen to be grouped, which crash recovery relies on to reproduce a round.
enum FoldKernels {
    typealias Vector = VectorKernels.Vector
    static let width = VectorKernels.width

    /// y[i] = (((y[i] + a[0]·x[0][i]) + a[1]·x[1][i]) + …) for i in `range`, with 1 to 4 sources.
    static func fold(_ a: [Float], _ x: [UnsafePointer<Float>], into y: UnsafeMutablePointer<Float>, range: Range<Int>) {
        switch x.count {
        case 1: fold1(a[0], x[0], y, range)
        case 2: fold2(a[0], a[1], x[0], x[1], y, range)
        case 3:
            fold2(a[0], a[1], x[0], x[1], y, range)
            fold1(a[2], x[2], y, range)
        case 4: fold4(SIMD4(a[0], a[1], a[2], a[3]), x[0], x[1], x[2], x[3], y, range)
        default: break
        }
    }

    private static func fold1(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let s = Vector(repeating: a)
        var i = range.lowerBound
        while i + width <= range.upperBound {
            VectorKernels.store(VectorKernels.load(UnsafePointer(y), i) + s * VectorKernels.load(x, i), y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = y[i] + a * x[i]
            i += 1
        }
    }

    private static func fold2(
        _ a0: Float, _ a1: Float, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>
    ) {
        let (s0, s1) = (Vector(repeating: a0), Vector(repeating: a1))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            var sum = VectorKernels.load(UnsafePointer(y), i) + s0 * VectorKernels.load(x0, i)
            sum = sum + s1 * VectorKernels.load(x1, i)
            VectorKernels.store(sum, y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = (y[i] + a0 * x0[i]) + a1 * x1[i]
            i += 1
        }
    }

    private static func fold4(
        _ a: SIMD4<Float>, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
        _ x3: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>
    ) {
        let (s0, s1, s2, s3) = (Vector(repeating: a[0]), Vector(repeating: a[1]), Vector(repeating: a[2]), Vector(repeating: a[3]))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            var sum = VectorKernels.load(UnsafePointer(y), i) + s0 * VectorKernels.load(x0, i)
            sum = sum + s1 * VectorKernels.load(x1, i)
            sum = sum + s2 * VectorKernels.load(x2, i)
            sum = sum + s3 * VectorKernels.load(x3, i)
            VectorKernels.store(sum, y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = (((y[i] + a[0] * x0[i]) + a[1] * x1[i]) + a[2] * x2[i]) + a[3] * x3[i]
            i += 1
        }
    }

    /// y[i] = 0 + a·y[i]: the first update becomes the sum, rounded exactly as a fold into zeros would be.
    static func scale(_ y: UnsafeMutablePointer<Float>, by a: Float, range: Range<Int>) {
        let s = Vector(repeating: a)
        var i = range.lowerBound
        while i + width <= range.upperBound {
            VectorKernels.store(Vector() + s * VectorKernels.load(UnsafePointer(y), i), y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = 0 + a * y[i]
            i += 1
        }
    }

    /// out[i] = (sum[i] + c·g[i]) · inverse — the mean, with the global model's share of
    /// clipped updates added back (c = 0 without clipping).
    static func mean(
        _ sum: UnsafePointer<Float>, global g: UnsafePointer<Float>, c: Float, inverse: Float,
        into out: UnsafeMutablePointer<Float>, range: Range<Int>
    ) {
        let (vc, vi) = (Vector(repeating: c), Vector(repeating: inverse))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            VectorKernels.store((VectorKernels.load(sum, i) + vc * VectorKernels.load(g, i)) * vi, out, i)
            i += width
        }
        while i < range.upperBound {
            out[i] = (sum[i] + c * g[i]) * inverse
            i += 1
        }
    }
}

/// Calls `body` with the base addresses of all `arrays` at once (nil-free: empty arrays are
/// skipped by the callers, which never pass them).
func withBaseAddresses(_ arrays: ArraySlice<[Float]>, _ collected: [UnsafePointer<Float>] = [], _ body: ([UnsafePointer<Float>]) -> Void) {
    guard let first = arrays.first else { return body(collected) }
    first.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        withBaseAddresses(arrays.dropFirst(), collected + [base], body)
    }
}
