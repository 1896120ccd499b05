/// The streaming kernels of FedAvg. Each folds up to eight updates into the running sum in one
/// pass, applying them strictly in order — `((y + a₀x₀) + a₁x₁) + …` — so folding k updates in
/// one pass gives exactly the same bits as k passes of one. That makes the result independent
/// of how arrivals happen to be grouped, which crash recovery relies on to reproduce a round.
enum FoldKernels {
    typealias Vector = VectorKernels.Vector
    static let width = VectorKernels.width
    /// Most updates folded in one pass over the sum.
    static let maximumSources = 8

    /// y[i] = (((s[i] + a[0]·x[0][i]) + a[1]·x[1][i]) + …) for i in `range`, where the sum so far
    /// s is `source` (y itself when nil; another buffer when a shared sum is rewritten into a new
    /// one), or 0 when `fromZero` (the round's first update, whose own buffer y may be x[0]).
    /// Passes of 8, 4, 2 and 1 sources, so any count works.
    static func fold(
        _ a: [Float], _ x: [UnsafePointer<Float>], from source: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>,
        range: Range<Int>, fromZero: Bool = false
    ) {
        var s = source ?? UnsafePointer(y)
        var k = 0
        var zero = fromZero
        while k < x.count {
            switch x.count - k {
            case 8...:
                fold8(a, x, k, s, y, range, zero)
                k += 8
            case 4...:
                fold4(SIMD4(a[k], a[k + 1], a[k + 2], a[k + 3]), x[k], x[k + 1], x[k + 2], x[k + 3], s, y, range, zero)
                k += 4
            case 2...:
                fold2(a[k], a[k + 1], x[k], x[k + 1], s, y, range, zero)
                k += 2
            default:
                fold1(a[k], x[k], s, y, range, zero)
                k += 1
            }
            s = UnsafePointer(y)
            zero = false
        }
    }

    @inline(__always)
    private static func start(_ s: UnsafePointer<Float>, _ i: Int, _ zero: Bool) -> Vector {
        zero ? Vector() : VectorKernels.load(s, i)
    }

    private static func fold1(
        _ a: Float, _ x: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ zero: Bool
    ) {
        let v = Vector(repeating: a)
        var i = range.lowerBound
        while i + width <= range.upperBound {
            VectorKernels.store(start(s, i, zero) + v * VectorKernels.load(x, i), y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = (zero ? 0 : s[i]) + a * x[i]
            i += 1
        }
    }

    private static func fold2(
        _ a0: Float, _ a1: Float, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>,
        _ s: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ zero: Bool
    ) {
        let (s0, s1) = (Vector(repeating: a0), Vector(repeating: a1))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            var sum = start(s, i, zero) + s0 * VectorKernels.load(x0, i)
            sum = sum + s1 * VectorKernels.load(x1, i)
            VectorKernels.store(sum, y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = ((zero ? 0 : s[i]) + a0 * x0[i]) + a1 * x1[i]
            i += 1
        }
    }

    private static func fold4(
        _ a: SIMD4<Float>, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
        _ x3: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ zero: Bool
    ) {
        let (s0, s1, s2, s3) = (Vector(repeating: a[0]), Vector(repeating: a[1]), Vector(repeating: a[2]), Vector(repeating: a[3]))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            var sum = start(s, i, zero) + s0 * VectorKernels.load(x0, i)
            sum = sum + s1 * VectorKernels.load(x1, i)
            sum = sum + s2 * VectorKernels.load(x2, i)
            sum = sum + s3 * VectorKernels.load(x3, i)
            VectorKernels.store(sum, y, i)
            i += width
        }
        while i < range.upperBound {
            y[i] = ((((zero ? 0 : s[i]) + a[0] * x0[i]) + a[1] * x1[i]) + a[2] * x2[i]) + a[3] * x3[i]
            i += 1
        }
    }

    /// Sources k..<k+8 of `a` and `x`.
    private static func fold8(
        _ a: [Float], _ x: [UnsafePointer<Float>], _ k: Int, _ s: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        _ range: Range<Int>, _ zero: Bool
    ) {
        let (x0, x1, x2, x3, x4, x5, x6, x7) = (x[k], x[k + 1], x[k + 2], x[k + 3], x[k + 4], x[k + 5], x[k + 6], x[k + 7])
        let (s0, s1, s2, s3) = (Vector(repeating: a[k]), Vector(repeating: a[k + 1]), Vector(repeating: a[k + 2]), Vector(repeating: a[k + 3]))
        let (s4, s5, s6, s7) = (Vector(repeating: a[k + 4]), Vector(repeating: a[k + 5]), Vector(repeating: a[k + 6]), Vector(repeating: a[k + 7]))
        var i = range.lowerBound
        while i + width <= range.upperBound {
            var sum = start(s, i, zero) + s0 * VectorKernels.load(x0, i)
            sum = sum + s1 * VectorKernels.load(x1, i)
            sum = sum + s2 * VectorKernels.load(x2, i)
            sum = sum + s3 * VectorKernels.load(x3, i)
            sum = sum + s4 * VectorKernels.load(x4, i)
            sum = sum + s5 * VectorKernels.load(x5, i)
            sum = sum + s6 * VectorKernels.load(x6, i)
            sum = sum + s7 * VectorKernels.load(x7, i)
            VectorKernels.store(sum, y, i)
            i += width
        }
        while i < range.upperBound {
            var sum = (zero ? 0 : s[i]) + a[k] * x0[i]
            for j in 1..<8 { sum = sum + a[k + j] * x[k + j][i] }
            y[i] = sum
            i += 1
        }
    }

    /// out[i] = (sum[i] + c·g[i]) · inverse — the mean, with the global model's share of
    /// clipped updates added back (c = 0 without clipping). Returns whether every result is
    /// finite (the x·0 test of `VectorKernels.allFinite`, on values still in registers).
    static func mean(
        _ sum: UnsafePointer<Float>, global g: UnsafePointer<Float>, c: Float, inverse: Float,
        into out: UnsafeMutablePointer<Float>, range: Range<Int>
    ) -> Bool {
        let (vc, vi) = (Vector(repeating: c), Vector(repeating: inverse))
        var probe = Vector()
        var i = range.lowerBound
        while i + width <= range.upperBound {
            let mean = (VectorKernels.load(sum, i) + vc * VectorKernels.load(g, i)) * vi
            probe += mean * Vector()
            VectorKernels.store(mean, out, i)
            i += width
        }
        var tail: Float = 0
        while i < range.upperBound {
            out[i] = (sum[i] + c * g[i]) * inverse
            tail += out[i] * 0
            i += 1
        }
        return probe.sum() == 0 && tail == 0
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
