import Learning
extension AggregationBenchmark {
    /// Turning one update's safetensors bytes into floats, each result a fresh array dropped right
    /// away (as the service decodes): a plain memcpy of the data section on one thread (what
    /// `decode` does) and split over the cores, `decode`, and `decodeFinite`, which also proves
    /// every value finite in its copy. If that check is free, the last matches the parallel copy.
    public struct DecodeFigures: Sendable, Hashable {
        public var parameters: Int
        public var memcpySeconds: Double
        public var parallelCopySeconds: Double
        public var decodeSeconds: Double
        public var decodeFiniteSeconds: Double

        /// Decoded bytes (parameters × 4) per second.
        public func gigabytesPerSecond(_ seconds: Double) -> Double { Double(parameters * MemoryLayout<Float>.size) / seconds / 1e9 }
    }

    static func measureDecode(_ update: ModelParameters, repetitions: Int) throws -> DecodeFigures {
        let bytes = SafeTensors.encode(update)
        let count = update.parameterCount
        var best = DecodeFigures(parameters: count, memcpySeconds: .infinity, parallelCopySeconds: .infinity, decodeSeconds: .infinity, decodeFiniteSeconds: .infinity)
        for _ in 0..<max(1, repetitions) {
            best.memcpySeconds = min(best.memcpySeconds, time { _ = copyData(bytes, count: count, parallel: false) })
            best.parallelCopySeconds = min(best.parallelCopySeconds, time { _ = copyData(bytes, count: count, parallel: true) })
            best.decodeSeconds = try min(best.decodeSeconds, time { _ = try SafeTensors.decode(bytes) })
            best.decodeFiniteSeconds = try min(best.decodeFiniteSeconds, time { _ = try SafeTensors.decodeFinite(bytes) })
        }
        return best
    }

    /// The last `count` floats of `bytes` (the data section of a one-tensor file), copied into a new array.
    static func copyData(_ bytes: [UInt8], count: Int, parallel: Bool) -> [Float] {
        bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { destination, initialized in
                let source = UnsafeRawBufferPointer(rebasing: raw[(raw.count - count * MemoryLayout<Float>.size)...])
                let output = UnsafeMutableRawBufferPointer(destination)
                if parallel, let base = output.baseAddress { HugePageBuffer.advise(base, bytes: output.count) }
                ParallelChunks.forEachPart(count: count, parts: parallel ? ParallelChunks.parts(for: count) : 1) { _, range in
                    let size = MemoryLayout<Float>.size
                    UnsafeMutableRawBufferPointer(rebasing: output[range.lowerBound * size..<range.upperBound * size])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range.lowerBound * size..<range.upperBound * size]))
                }
                initialized = count
            }
        }
    }
}
