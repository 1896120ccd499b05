extension VectorKernels {
    /// Copies `count` floats from `source` (any alignment, host byte order) to `destination` and
    /// answers whether all of them are finite, with the x·0 test of `allFinite`. The test rides
    /// on values already in registers, so a decoder gets it at the price of the copy alone.
    static func copyFinite(_ source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        let stride = MemoryLayout<Float>.stride
        var first = Vector(), second = Vector()
        var index = 0
        while index + 2 * width <= count {
            let a = source.loadUnaligned(fromByteOffset: index * stride, as: Vector.self)
            let b = source.loadUnaligned(fromByteOffset: (index + width) * stride, as: Vector.self)
            first += a * Vector()
            second += b * Vector()
            store(a, destination, index)
            store(b, destination, index + width)
            index += 2 * width
        }
        var tail: Float = 0
        while index < count {
            let value = source.loadUnaligned(fromByteOffset: index * stride, as: Float.self)
            tail += value * 0
            destination[index] = value
            index += 1
        }
        return (first + second).sum() == 0 && tail == 0
    }
}
