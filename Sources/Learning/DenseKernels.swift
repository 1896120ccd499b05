/// The three matrix products of a dense layer on a mini-batch, over raw row-major buffers.
/// Shapes: inputs `x` is B×K, weights `W` is N×K (one row per output), outputs/deltas B×N.
enum DenseKernels {
    typealias Vector = VectorKernels.Vector
    static let width = VectorKernels.width

    /// y = x·Wᵀ + bias (then ReLU if asked). Each weight row is reused for four examples at
    /// a time while it sits in L1, which cuts weight loads by four.
    static func forward(
        x: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, batch: Int, inputs: Int, outputs: Int, relu: Bool
    ) {
        for output in 0..<outputs {
            let row = weights + output * inputs
            var example = 0
            while example + 4 <= batch {
                let dots = dot4(row, x + example * inputs, stride: inputs, count: inputs)
                for lane in 0..<4 { y[(example + lane) * outputs + output] = dots[lane] + bias[output] }
                example += 4
            }
            while example < batch {
                y[example * outputs + output] = VectorKernels.dot(row, x + example * inputs, count: inputs) + bias[output]
                example += 1
            }
        }
        if relu {
            for index in 0..<batch * outputs where !(y[index] > 0) { y[index] = 0 }
        }
    }

    /// Four dot products of `w` with four consecutive rows of `x` (rows `stride` apart).
    /// Eight-wide accumulators: four of them plus the operands fit the 16 SSE registers of the
    /// baseline x86-64 target, where sixteen-wide ones spilled to the stack.
    @inline(__always)
    static func dot4(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, stride: Int, count: Int) -> SIMD4<Float> {
        typealias Narrow = SIMD8<Float>
        @inline(__always) func load(_ pointer: UnsafePointer<Float>, _ offset: Int) -> Narrow {
            UnsafeRawPointer(pointer + offset).loadUnaligned(as: Narrow.self)
        }
        var a0 = Narrow(), a1 = Narrow(), a2 = Narrow(), a3 = Narrow()
        let (x0, x1, x2, x3) = (x, x + stride, x + 2 * stride, x + 3 * stride)
        var k = 0
        while k + Narrow.scalarCount <= count {
            let weight = load(w, k)
            a0 += weight * load(x0, k)
            a1 += weight * load(x1, k)
            a2 += weight * load(x2, k)
            a3 += weight * load(x3, k)
            k += Narrow.scalarCount
        }
        var result = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
        while k < count {
            result += SIMD4(x0[k], x1[k], x2[k], x3[k]) * w[k]
            k += 1
        }
        return result
    }

    /// Back-propagates deltas through W into the previous layer: dx = d·W, masked by
    /// [x > 0] when the previous layer applied ReLU (x are its post-ReLU activations).
    static func propagate(
        deltas: UnsafePointer<Float>, weights: UnsafePointer<Float>, activations x: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, batch: Int, inputs: Int, outputs: Int, reluMask: Bool
    ) {
        for example in 0..<batch {
            let row = dx + example * inputs
            row.update(repeating: 0, count: inputs)
            for output in 0..<outputs {
                VectorKernels.addScaled(deltas[example * outputs + output], weights + output * inputs, to: row, count: inputs)
            }
            guard reluMask else { continue }
            let activation = x + example * inputs
            for k in 0..<inputs where !(activation[k] > 0) { row[k] = 0 }
        }
    }

    /// One SGD step on W and bias: W −= lr·(dᵀ·x + μ·(W − W₀)), bias likewise. The gradient
    /// of each 16-wide strip of a weight row is summed over the batch in a register and the
    /// strip is written once, so no gradient buffer is needed.
    static func step(
        weights: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
        anchorWeights: UnsafePointer<Float>?, anchorBias: UnsafePointer<Float>?,
        deltas: UnsafePointer<Float>, x: UnsafePointer<Float>, column: UnsafeMutablePointer<Float>,
        batch: Int, inputs: Int, outputs: Int, learningRate: Float, mu: Float
    ) {
        let rate = Vector(repeating: learningRate), proximal = Vector(repeating: mu)
        for output in 0..<outputs {
            var biasGradient: Float = 0
            for example in 0..<batch {
                column[example] = deltas[example * outputs + output]
                biasGradient += column[example]
            }
            let row = weights + output * inputs
            let anchorRow = anchorWeights.map { $0 + output * inputs }
            var k = 0
            while k + width <= inputs {
                var gradient = Vector()
                for example in 0..<batch {
                    gradient += Vector(repeating: column[example]) * VectorKernels.load(x + example * inputs, k)
                }
                let current = VectorKernels.load(row, k)
                if let anchorRow { gradient += proximal * (current - VectorKernels.load(anchorRow, k)) }
                VectorKernels.store(current - rate * gradient, row, k)
                k += width
            }
            while k < inputs {
                var gradient: Float = 0
                for example in 0..<batch { gradient += column[example] * x[example * inputs + k] }
                if let anchorRow { gradient += mu * (row[k] - anchorRow[k]) }
                row[k] -= learningRate * gradient
                k += 1
            }
            if let anchorBias { biasGradient += mu * (bias[output] - anchorBias[output]) }
            bias[output] -= learningRate * biasGradient
        }
    }
}
