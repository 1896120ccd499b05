/// Hot inner loops over contiguous float32 buffers, written with `SIMD16<Float>` because the
/// compiler does not vectorise floating-point reductions on its own (it may not reassociate).
/// Every function handles lengths that are not a multiple of 16 with a scalar tail.
/// Products are written `acc += a * b`, never `addProduct`: on the baseline x86-64 target
/// (no FMA feature) a fused multiply-add becomes a libm call per element.
enum VectorKernels {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, _ offset: Int) -> Vector {
        UnsafeRawPointer(pointer + offset).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(pointer + offset).storeBytes(of: vector, as: Vector.self)
    }

    /// Σ a[i]·b[i], with two independent accumulators to hide add latency.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var first = Vector(), second = Vector()
        var index = 0
        while index + 2 * width <= count {
            first += load(a, index) * load(b, index)
            second += load(a, index + width) * load(b, index + width)
            index += 2 * width
        }
        if index + width <= count {
            first += load(a, index) * load(b, index)
            index += width
        }
        var total = (first + second).sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// y[i] += alpha · x[i].
    @inline(__always)
    static func addScaled(_ alpha: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        let scale = Vector(repeating: alpha)
        var index = 0
        while index + width <= count {
            store(load(UnsafePointer(y), index) + scale * load(x, index), y, index)
            index += width
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// y[i] = alpha · x[i].
    static func scaledCopy(_ alpha: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
        let scale = Vector(repeating: alpha)
        var index = 0
        while index + width <= count {
            store(scale * load(x, index), y, index)
            index += width
        }
        while index < count {
            y[index] = alpha * x[index]
            index += 1
        }
    }

    /// True when no element is NaN or ±infinity: x·0 is 0 for finite x and NaN otherwise,
    /// so one vectorised pass with no branches answers the question.
    static func allFinite(_ buffer: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count
        var probe = Vector()
        var index = 0
        while index + width <= count {
            probe += load(base, index) * Vector()
            index += width
        }
        var tail: Float = 0
        while index < count {
            tail += base[index] * 0
            index += 1
        }
        return probe.sum() == 0 && tail == 0
    }
}

extension VectorKernels {
    /// y[i] += a0·x0[i] + a1·x1[i] + a2·x2[i] + a3·x3[i]: four updates per pass over y, so the
    /// running sum is read and written once per four inputs instead of once per input.
    static func addScaled4(
        _ a: SIMD4<Float>, _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
        _ x3: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int
    ) {
        let (s0, s1, s2, s3) = (Vector(repeating: a[0]), Vector(repeating: a[1]), Vector(repeating: a[2]), Vector(repeating: a[3]))
        var index = 0
        while index + width <= count {
            let sum = load(UnsafePointer(y), index) + (s0 * load(x0, index) + s1 * load(x1, index))
                + (s2 * load(x2, index) + s3 * load(x3, index))
            store(sum, y, index)
            index += width
        }
        while index < count {
            y[index] += (a[0] * x0[index] + a[1] * x1[index]) + (a[2] * x2[index] + a[3] * x3[index])
            index += 1
        }
    }
}
