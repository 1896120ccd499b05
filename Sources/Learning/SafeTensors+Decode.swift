import Foundation

extension SafeTensors {
    /// Where one tensor's data lives, as declared by the header.
    struct Entry {
        var name: String
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// Decodes a float32 safetensors file, validating the header length, the JSON, every
    /// tensor's dtype, shape and offsets, and that the tensors tile the data section exactly.
    /// Tensors come back sorted by name.
    /// `decodeFinite` also proves every value finite, in the same copy.
    public static func decode(_ bytes: [UInt8]) throws(SafeTensorsError) -> (parameters: ModelParameters, metadata: [String: String]) {
        let (entries, metadata, dataStart) = try dataLayout(of: bytes)
        let tensors = bytes.withUnsafeBytes { raw in
            entries.map { entry in
                let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.begin)..<(dataStart + entry.end)])
                let count = source.count / MemoryLayout<Float>.size
                let values = [Float](unsafeUninitializedCapacity: count) { destination, initialized in
                    UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
                    #if _endian(big)
                    littleEndianInPlace(UnsafeMutableRawBufferPointer(destination))
                    #endif
                    initialized = count
                }
                return Tensor(name: entry.name, shape: entry.shape, values: values)
            }
        }
        return (ModelParameters(tensors: tensors.sorted(by: Tensor.canonicallyPrecedes)), metadata)
    }

    /// The header's entries (sorted by name) and metadata, checked against the file, and where
    /// the data section starts.
    static func dataLayout(of bytes: [UInt8]) throws(SafeTensorsError) -> (entries: [Entry], metadata: [String: String], dataStart: Int) {
        let header = try headerSlice(of: bytes)
        let (entries, metadata) = try parseHeader(header)
        try checkTiling(entries, dataLength: bytes.count - header.endIndex)
        return (entries, metadata, header.endIndex)
    }

    /// The JSON header's bytes, after checking the 8-byte length field against the file size.
    static func headerSlice(of bytes: [UInt8]) throws(SafeTensorsError) -> ArraySlice<UInt8> {
        guard let declared = declaredHeaderLength(of: bytes) else { throw .fileTooShort(byteCount: bytes.count) }
        let length = try checkedHeaderLength(declared, available: bytes.count - 8)
        return bytes[8..<8 + length]
    }

    /// The 8-byte little-endian length field at the start of `bytes` (nil before 8 bytes).
    static func declaredHeaderLength(of bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    /// `declared` as a length, if a header that long fits in the `available` bytes after the
    /// length field and within the reference implementation's limit.
    static func checkedHeaderLength(_ declared: UInt64, available: Int) throws(SafeTensorsError) -> Int {
        guard declared >= 2, declared <= UInt64(max(0, min(available, maximumHeaderLength))) else {
            throw .headerLengthOutOfRange(declared: declared, available: available)
        }
        return Int(declared)
    }

    static func parseHeader(_ header: ArraySlice<UInt8>) throws(SafeTensorsError) -> ([Entry], [String: String]) {
        guard header.first == UInt8(ascii: "{") else {
            throw .headerNotJSON(reason: "it does not start with '{'")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(header))
        } catch {
            throw .headerNotJSON(reason: String(describing: error))
        }
        guard case let .object(fields) = root else { throw .headerNotObject(found: root.kindDescription) }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        // Sorted so that, of several problems, the same one is always reported.
        for (key, value) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            if key == metadataKey {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(named: key, value))
            }
        }
        return (entries, metadata)
    }

    static func parseMetadata(_ value: JSONValue) throws(SafeTensorsError) -> [String: String] {
        guard case let .object(fields) = value else {
            throw .invalidMetadata(reason: "must be an object of strings, found \(value.kindDescription)")
        }
        var metadata: [String: String] = [:]
        for (key, field) in fields {
            guard case let .string(text) = field else {
                throw .invalidMetadata(reason: "value for key '\(key)' must be a string, found \(field.kindDescription)")
            }
            metadata[key] = text
        }
        return metadata
    }

    static func parseEntry(named name: String, _ value: JSONValue) throws(SafeTensorsError) -> Entry {
        guard case let .object(fields) = value else {
            throw .invalidField(tensor: name, field: "(entry)", reason: "must be an object, found \(value.kindDescription)")
        }
        guard let dtypeValue = fields["dtype"] else { throw .missingField(tensor: name, field: "dtype") }
        guard case let .string(dtype) = dtypeValue else {
            throw .invalidField(tensor: name, field: "dtype", reason: "must be a string, found \(dtypeValue.kindDescription)")
        }
        guard dtype == float32DType else { throw .unsupportedDType(tensor: name, dtype: dtype) }

        let shape = try nonNegativeIntegers(fields, "shape", tensor: name)
        let offsets = try nonNegativeIntegers(fields, "data_offsets", tensor: name)
        guard offsets.count == 2 else {
            throw .invalidField(tensor: name, field: "data_offsets", reason: "must hold exactly 2 integers, found \(offsets.count)")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else {
            throw .invalidField(tensor: name, field: "data_offsets", reason: "begin \(begin) is after end \(end)")
        }
        let elements = Tensor.elementCount(of: shape)
        let (expectedBytes, overflow) = (elements ?? Int.max).multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        guard elements != nil, !overflow else {
            throw .invalidField(tensor: name, field: "shape", reason: "\(shape) describes too many elements")
        }
        guard expectedBytes == end - begin else {
            throw .byteLengthMismatch(tensor: name, shape: shape, expectedBytes: expectedBytes, actualBytes: end - begin)
        }
        return Entry(name: name, shape: shape, begin: begin, end: end)
    }

    static func nonNegativeIntegers(_ fields: [String: JSONValue], _ field: String, tensor: String) throws(SafeTensorsError) -> [Int] {
        guard let value = fields[field] else { throw .missingField(tensor: tensor, field: field) }
        guard case let .array(items) = value else {
            throw .invalidField(tensor: tensor, field: field, reason: "must be an array, found \(value.kindDescription)")
        }
        var result: [Int] = []
        for (index, item) in items.enumerated() {
            guard case let .integer(number) = item, number >= 0 else {
                let found = if case let .integer(number) = item { "\(number)" } else { item.kindDescription }
                throw .invalidField(tensor: tensor, field: field, reason: "item \(index) must be a non-negative integer, found \(found)")
            }
            result.append(number)
        }
        return result
    }

    /// The tensors must cover the data section exactly: no overlaps, gaps or trailing bytes.
    /// With `complete` false, `dataLength` is only the most the data section can hold (a file
    /// still arriving), and the tensors may end before it.
    static func checkTiling(_ entries: [Entry], dataLength: Int, complete: Bool = true) throws(SafeTensorsError) {
        var cursor = 0
        var previous: String?
        for entry in entries.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            guard entry.end <= dataLength else {
                throw .offsetsOutOfRange(tensor: entry.name, begin: entry.begin, end: entry.end, dataLength: dataLength)
            }
            if entry.begin < cursor, let previous {
                throw .overlappingTensors(first: previous, second: entry.name)
            }
            guard entry.begin == cursor else {
                throw .gapBeforeTensor(tensor: entry.name, expectedOffset: cursor, actualOffset: entry.begin)
            }
            cursor = entry.end
            previous = entry.name
        }
        guard cursor == dataLength || !complete else { throw .trailingBytes(count: dataLength - cursor) }
    }
}
