extension SafeTensors {
    /// `decode`, proving every value finite on the way: the check rides on the copy that decoding
    /// makes anyway (no second read of the data), and large tensors are copied on all cores.
    /// Throws `.nonFiniteValues` naming the first tensor, in name order, that holds NaN or infinity.
    public static func decodeFinite(_ bytes: [UInt8]) throws(SafeTensorsError) -> (parameters: FiniteParameters, metadata: [String: String]) {
        #if _endian(big)
        let (parameters, metadata) = try decode(bytes)
        for tensor in parameters.tensors where !tensor.allFinite { throw .nonFiniteValues(tensor: tensor.name) }
        return (FiniteParameters(alreadyChecked: parameters), metadata)
        #else
        let (entries, metadata, dataStart) = try dataLayout(of: bytes)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(entries.count)
        var nonFinite: String?
        bytes.withUnsafeBytes { raw in
            for entry in entries {
                guard let values = copyFinite(raw, from: dataStart + entry.begin, to: dataStart + entry.end) else {
                    nonFinite = entry.name
                    return
                }
                tensors.append(Tensor(name: entry.name, shape: entry.shape, values: values))
            }
        }
        if let nonFinite { throw .nonFiniteValues(tensor: nonFinite) }
        let parameters = ModelParameters(tensors: tensors.sorted(by: Tensor.canonicallyPrecedes))
        return (FiniteParameters(alreadyChecked: parameters), metadata)
        #endif
    }

    /// The float32 values in `raw[begin..<end]`, or nil when one of them is not finite.
    static func copyFinite(_ raw: UnsafeRawBufferPointer, from begin: Int, to end: Int) -> [Float]? {
        let count = (end - begin) / MemoryLayout<Float>.size
        guard count > 0, let base = raw.baseAddress else { return [] }
        let source = base + begin
        var finite = true
        let values = [Float](unsafeUninitializedCapacity: count) { destination, initialized in
            guard let output = destination.baseAddress else { return }
            HugePageBuffer.advise(output, bytes: count * MemoryLayout<Float>.size)
            finite = ParallelChunks.all(count: count) { range in
                VectorKernels.copyFinite(source + range.lowerBound * MemoryLayout<Float>.size, to: output + range.lowerBound, count: range.count)
            }
            initialized = count
        }
        return finite ? values : nil
    }
}
