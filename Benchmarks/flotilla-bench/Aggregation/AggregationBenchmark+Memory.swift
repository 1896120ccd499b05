import Learning
extension AggregationBenchmark {
    /// Peak memory of one FedAvg round run the way the aggregator service runs it.
    public struct MemoryFigures: Sendable, Hashable {
        public var shape: Shape
        public var pendingByteBudget: Int
        /// Resident bytes just before the round, with the global model and the aggregator created.
        public var baselineBytes: Int
        /// Peak resident bytes during the round (VmHWM, reset just before it when the kernel allows).
        public var peakBytes: Int
        public var peakWasReset: Bool
        /// Resident bytes after `finish()`, the result and the global model still held.
        public var afterBytes: Int
        public var modelBytes: Int { shape.parameters * MemoryLayout<Float>.size }
        public var aboveBaseline: Int { peakBytes - baselineBytes }
        /// The limit: 3 model sizes + 64 MB.
        public var goalBytes: Int { 3 * modelBytes + 64_000_000 }
        public var meetsGoal: Bool { aboveBaseline < goalBytes }
    }

    /// One FedAvg round where each update exists only while it is handled: its safetensors bytes
    /// are made on the fly (as if just consumed), decoded with `decodeFinite` (the bytes are
    /// freed as soon as that returns), added, and dropped by the aggregator once folded.
    /// Returns nil where the resident size cannot be read (it needs Linux's /proc).
    public static func measureMemory(shape: Shape, pendingByteBudget: Int = 64 << 20) throws -> MemoryFigures? {
        var generator = SeededGenerator(seed: 42)
        let global = ModelParameters(tensors: [Tensor(name: "weights", shape: [shape.parameters], values: (0..<shape.parameters).map { _ in generator.nextFloat(in: -1, 1) })])
        var aggregator = try RoundAggregator(configuration: AggregationConfiguration(strategy: .fedAvg), global: global, pendingByteBudget: pendingByteBudget)
        guard let baseline = ResidentMemory.current() else { return nil }
        let reset = ResidentMemory.resetPeak()
        for client in 0..<shape.clients {
            try aggregator.add(decodedUpdate(client: client, global: global), examples: 100 + client)
        }
        let result = try (consume aggregator).finish()
        let after = withExtendedLifetime((result, global)) { ResidentMemory.current() }
        guard let peak = ResidentMemory.peak(), let after else { return nil }
        return MemoryFigures(
            shape: shape, pendingByteBudget: pendingByteBudget, baselineBytes: baseline, peakBytes: peak, peakWasReset: reset, afterBytes: after)
    }

    /// Client `client`'s update as the decoder returns it; its bytes die with this call.
    static func decodedUpdate(client: Int, global: ModelParameters) throws -> FiniteParameters {
        try SafeTensors.decodeFinite(updateBytes(client: client, global: global)).parameters
    }

    /// A safetensors file of `global` plus noise in [-0.01, 0.01), written straight into the
    /// bytes (no float array in between, so only the bytes count against the round).
    static func updateBytes(client: Int, global: ModelParameters) -> [UInt8] {
        let tensors = global.tensors.map { (name: $0.name, shape: $0.shape, count: $0.values.count) }
        let header = SafeTensors.headerBytes(for: tensors, metadata: [:])
        let total = 8 + header.count + global.byteCount
        var generator = SeededGenerator(seed: UInt64(client))
        return [UInt8](unsafeUninitializedCapacity: total) { output, initialized in
            let raw = UnsafeMutableRawBufferPointer(output)
            raw.storeBytes(of: UInt64(header.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            header.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[8..<8 + $0.count]).copyMemory(from: $0) }
            var offset = 8 + header.count
            for tensor in global.tensors {
                for value in tensor.values {
                    let noisy = value + generator.nextFloat(in: -0.01, 0.01)
                    raw.storeBytes(of: noisy.bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
                    offset += MemoryLayout<Float>.size
                }
            }
            initialized = total
        }
    }
}
