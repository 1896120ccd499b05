/// The checks every update passes before it can touch an aggregate, and its clipping factor.
enum UpdateCheck {
    /// Checks the example count, the layout against `global` and (in one vectorised, parallel
    /// read of the update, unless `knownFinite`) that every value is finite; returns the
    /// clipping factor s = min(1, clipNorm / ‖update − global‖), 1 without clipping.
    static func check(
        _ update: ModelParameters, examples: Int, global: ModelParameters, clipNorm: Float?, knownFinite: Bool = false
    ) throws(RoundAggregationError) -> Double {
        guard examples > 0 else { throw .invalidExampleCount(examples) }
        try checkLayout(update, global: global)
        guard let clipNorm else {
            for tensor in update.tensors where !knownFinite && !allFinite(tensor.values) {
                throw .rejectedUpdate(.nonFiniteValues(tensor: tensor.name))
            }
            return 1
        }
        // The norm pass reads every value anyway, and a NaN or infinity makes it non-finite.
        var squaredNorm = 0.0
        for (tensor, base) in zip(update.tensors, global.tensors) {
            let part = squaredDistance(tensor.values, base.values)
            guard part.isFinite else {
                // Either a non-finite value or a finite one so large its square overflows.
                throw .rejectedUpdate(.nonFiniteValues(tensor: tensor.name))
            }
            squaredNorm += part
        }
        let norm = squaredNorm.squareRoot()
        return norm > Double(clipNorm) ? Double(clipNorm) / norm : 1
    }

    static func checkLayout(_ update: ModelParameters, global: ModelParameters) throws(RoundAggregationError) {
        let expected = global.tensors
        guard update.tensors.count == expected.count else {
            throw .rejectedUpdate(.layoutMismatch(
                reason: "expected \(expected.count) tensors \(expected.map(\.name)), found \(update.tensors.count)"))
        }
        for (index, (tensor, reference)) in zip(update.tensors, expected).enumerated() {
            guard tensor.name == reference.name, tensor.shape == reference.shape else {
                throw .rejectedUpdate(.layoutMismatch(
                    reason: "tensor \(index) should be '\(reference.name)' \(reference.shape), found '\(tensor.name)' \(tensor.shape)"))
            }
            do { try tensor.validate() } catch { throw .rejectedUpdate(.inconsistentTensor(error)) }
        }
    }

    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            return ParallelChunks.all(count: buffer.count) { range in
                VectorKernels.allFinite(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
    }

    /// ‖x − y‖², float32 within fixed blocks and float64 across them (same bits on any core count).
    static func squaredDistance(_ x: [Float], _ y: [Float]) -> Double {
        let count = min(x.count, y.count)
        return x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return 0 }
                return ParallelChunks.blockSum(count: count) { range in
                    Double(VectorKernels.squaredDistance(x, y, range: range))
                }
            }
        }
    }
}
