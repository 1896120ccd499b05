/// Decodes a float32 safetensors file while its bytes arrive in pieces, copying each piece's
/// values straight into the tensors' arrays. A model that travels as many Kafka messages is
/// then held once, as values, never as reassembled bytes beside a decoded copy.
///
/// It checks what `SafeTensors.decode` checks and throws the same errors: the header's length,
/// JSON and entries as soon as the header is complete, the tiling against the bytes that did
/// arrive in `finish()`. Like `decodeFinite` it proves the values finite in the copy it makes
/// anyway. `append` never throws: the first problem is kept, later bytes are only counted, and
/// `finish()` reports it.
public struct SafeTensorsStreamDecoder: Sendable {
    /// The largest file accepted when the sender's own size claim is the only bound: 8 GiB
    /// (two billion float32 values). Arrays are sized from the header before the data arrives.
    public static let largestFile = 1 << 33

    /// Most bytes the file can have: exact for a whole buffer, an upper bound for a transfer.
    private let byteLimit: Int
    private var received = 0
    /// The length field and JSON, kept until the header is complete.
    private var header: [UInt8] = []
    private var layout: Layout?
    private var failure: SafeTensorsError?

    /// The entries in data order (tiling was checked, so each begins where the previous ends).
    private struct Layout: Sendable {
        var entries: [SafeTensors.Entry]
        var metadata: [String: String]
        var dataStart: Int
    }

    private var next = 0
    /// The tensor being filled, sized from the header, and how many values it has.
    private var filling: [Float] = []
    private var filled = 0
    /// The first bytes of a value split across two pieces.
    private var carry: [UInt8] = []
    private var tensors: [Tensor] = []
    private var nonFinite: [String] = []

    /// `byteLimit`: the file's size when it is known, otherwise the most it may be (never more
    /// than `largestFile` is believed).
    public init(byteLimit: Int) {
        self.byteLimit = min(max(0, byteLimit), Self.largestFile)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        received += bytes.count
        guard failure == nil else { return }
        if layout == nil {
            rest = readHeader(rest)
            guard layout != nil, failure == nil else { return }
        }
        if !rest.isEmpty { fill(UnsafeRawBufferPointer(rebasing: rest)) }
    }

    /// The decoded model, or the first problem with the file.
    public consuming func finish() throws(SafeTensorsError) -> DecodedModel {
        if let failure { throw failure }
        guard let layout else {
            _ = try SafeTensors.headerSlice(of: header)  // too short: throws what `decode` would
            throw .fileTooShort(byteCount: received)
        }
        try SafeTensors.checkTiling(layout.entries, dataLength: received - layout.dataStart)
        let parameters = ModelParameters(tensors: tensors.sorted(by: Tensor.canonicallyPrecedes))
        if let first = nonFinite.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            return DecodedModel(values: .nonFinite(parameters, firstTensor: first), metadata: layout.metadata)
        }
        return DecodedModel(values: .finite(FiniteParameters(alreadyChecked: parameters)), metadata: layout.metadata)
    }

    /// Collects the header from the front of `bytes`; parses it once complete. Returns the rest.
    private mutating func readHeader(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var rest = bytes
        if header.count < 8 {
            let take = min(8 - header.count, rest.count)
            header += rest.prefix(take)
            rest = rest.dropFirst(take)
            guard header.count == 8 else { return rest }
        }
        let headerEnd: Int
        do {
            headerEnd = 8 + (try SafeTensors.checkedHeaderLength(SafeTensors.declaredHeaderLength(of: header) ?? 0, available: byteLimit - 8))
        } catch {
            failure = error
            return rest
        }
        if header.count == 8 { header.reserveCapacity(headerEnd) }
        let take = min(headerEnd - header.count, rest.count)
        header += rest.prefix(take)
        rest = rest.dropFirst(take)
        guard header.count == headerEnd else { return rest }
        do {
            let (entries, metadata) = try SafeTensors.parseHeader(header[8...])
            try SafeTensors.checkTiling(entries, dataLength: byteLimit - headerEnd, complete: false)
            layout = Layout(entries: entries.sorted { $0.begin < $1.begin || ($0.begin == $1.begin && $0.end < $1.end) }, metadata: metadata, dataStart: headerEnd)
            header = []
        } catch {
            failure = error
        }
        return rest
    }

    /// Copies data bytes into the tensors in data order; bytes past the last tensor are only
    /// counted (`finish` reports them).
    private mutating func fill(_ bytes: UnsafeRawBufferPointer) {
        guard let entries = layout?.entries, let base = bytes.baseAddress else { return }
        var offset = 0
        while next < entries.count {
            let entry = entries[next]
            let count = (entry.end - entry.begin) / MemoryLayout<Float>.size
            if filled == 0 && filling.isEmpty && count > 0 { filling = Self.uninitialized(count) }
            if !carry.isEmpty {
                let take = min(MemoryLayout<Float>.size - carry.count, bytes.count - offset)
                carry += UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take])
                offset += take
                guard carry.count == MemoryLayout<Float>.size else { return }
                let split = carry
                carry = []
                split.withUnsafeBytes { store($0.baseAddress!, values: 1, of: entry) }
            }
            let values = min(count - filled, (bytes.count - offset) / MemoryLayout<Float>.size)
            if values > 0 {
                store(base + offset, values: values, of: entry)
                offset += values * MemoryLayout<Float>.size
            }
            guard filled == count else {
                // The piece ended inside this tensor: keep a split value's first bytes.
                carry = Array(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                return
            }
            tensors.append(Tensor(name: entry.name, shape: entry.shape, values: filling))
            filling = []
            filled = 0
            next += 1
        }
    }

    /// Copies `values` floats from `source` into the tensor being filled, checking each finite.
    private mutating func store(_ source: UnsafeRawPointer, values: Int, of entry: SafeTensors.Entry) {
        let start = filled
        let finite = filling.withUnsafeMutableBufferPointer { destination in
            guard let output = destination.baseAddress else { return true }
            #if _endian(big)
            let target = UnsafeMutableRawBufferPointer(start: output + start, count: values * MemoryLayout<Float>.size)
            target.copyMemory(from: UnsafeRawBufferPointer(start: source, count: target.count))
            SafeTensors.littleEndianInPlace(target)
            return VectorKernels.allFinite(UnsafeBufferPointer(start: output + start, count: values))
            #else
            return ParallelChunks.all(count: values) { range in
                VectorKernels.copyFinite(source + range.lowerBound * MemoryLayout<Float>.size, to: output + start + range.lowerBound, count: range.count)
            }
            #endif
        }
        if !finite && nonFinite.last != entry.name { nonFinite.append(entry.name) }
        filled += values
    }

    /// An array of `count` floats whose contents the caller writes before anyone reads them
    /// (`finish` returns a tensor only once every value of it arrived). Not zero-filled: the
    /// pages are touched once, by the copy, and a large array gets huge pages.
    private static func uninitialized(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let start = buffer.baseAddress { HugePageBuffer.advise(start, bytes: count * MemoryLayout<Float>.size) }
            initialized = count
        }
    }
}

/// A decoded safetensors file: its values, with the proof that they are finite when they are.
public struct DecodedModel: Sendable {
    public enum Values: Sendable {
        case finite(FiniteParameters)
        /// Some value is NaN or infinite; `firstTensor` is the first such tensor by name.
        case nonFinite(ModelParameters, firstTensor: String)
    }

    public var values: Values
    public var metadata: [String: String]

    public init(values: Values, metadata: [String: String]) {
        self.values = values
        self.metadata = metadata
    }
}
