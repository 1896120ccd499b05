import Foundation

/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
///
///     [8-byte little-endian header length N][N bytes of JSON, space-padded][data]
///
/// The JSON maps each tensor name to `{"dtype","shape","data_offsets":[begin,end]}` (offsets
/// relative to the data section) plus an optional `"__metadata__"` string-to-string map.
/// Only float32 (`"F32"`) tensors are supported for now.
public enum SafeTensors {
    public static let float32DType = "F32"
    public static let metadataKey = "__metadata__"
    /// The reference implementation refuses headers above 100 MB; so do we.
    public static let maximumHeaderLength = 100_000_000

    /// Encodes the tensors sorted by name (byte-wise UTF-8), laid out contiguously in that order.
    ///
    /// Encoding never fails; an inconsistent tensor (shape and value count disagree) is written
    /// as given, and `decode` will reject the file naming that tensor.
    public static func encode(_ parameters: ModelParameters, metadata: [String: String] = [:]) -> [UInt8] {
        let tensors = parameters.tensors.sorted(by: Tensor.canonicallyPrecedes)
        let header = headerBytes(for: tensors, metadata: metadata)
        let dataLength = tensors.reduce(0) { $0 + $1.values.count * MemoryLayout<Float>.size }
        let totalLength = 8 + header.count + dataLength

        return [UInt8](unsafeUninitializedCapacity: totalLength) { output, initialized in
            let raw = UnsafeMutableRawBufferPointer(output)
            raw.storeBytes(of: UInt64(header.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            header.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: raw[8..<8 + $0.count]).copyMemory(from: $0) }
            var cursor = 8 + header.count
            for tensor in tensors {
                tensor.values.withUnsafeBytes { source in
                    let destination = UnsafeMutableRawBufferPointer(rebasing: raw[cursor..<cursor + source.count])
                    destination.copyMemory(from: source)
                    #if _endian(big)
                    littleEndianInPlace(destination)
                    #endif
                    cursor += source.count
                }
            }
            initialized = totalLength
        }
    }

    /// Calls `body` with the bytes of `encode(parameters, metadata:)` in order, segment by
    /// segment (the length field, the header, then each tensor's own memory), so a digest of the
    /// file needs no copy of it. `dataAlignment`: the file offset the data section starts at is a
    /// multiple of it (8 in events, whose bytes are digested and must not change).
    public static func forEachSegment(
        of parameters: ModelParameters, metadata: [String: String] = [:], dataAlignment: Int = 8, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        let tensors = parameters.tensors.sorted(by: Tensor.canonicallyPrecedes)
        let header = headerBytes(for: tensors.map { ($0.name, $0.shape, $0.values.count) }, metadata: metadata, dataAlignment: dataAlignment)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { body($0) }
        header.withUnsafeBytes { body($0) }
        for tensor in tensors {
            #if _endian(big)
            var swapped = tensor.values
            swapped.withUnsafeMutableBytes { littleEndianInPlace($0) }
            swapped.withUnsafeBytes { body($0) }
            #else
            tensor.values.withUnsafeBytes { body($0) }
            #endif
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes so the data section is aligned.
    package static func headerBytes(for sortedTensors: [Tensor], metadata: [String: String]) -> [UInt8] {
        headerBytes(for: sortedTensors.map { ($0.name, $0.shape, $0.values.count) }, metadata: metadata)
    }

    /// The header for tensors given by name, shape and value count (sorted by name), padded with
    /// spaces so the data section starts at a multiple of `dataAlignment` (a multiple of 8).
    package static func headerBytes(
        for sortedTensors: [(name: String, shape: [Int], count: Int)], metadata: [String: String], dataAlignment: Int = 8
    ) -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { "\($0.jsonQuoted):\(metadata[$0, default: ""].jsonQuoted)" }
            entries.append("\(metadataKey.jsonQuoted):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for tensor in sortedTensors {
            let end = offset + tensor.count * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(tensor.name.jsonQuoted):{\"dtype\":\"\(float32DType)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            )
            offset = end
        }
        var bytes = Array("{\(entries.joined(separator: ","))}".utf8)
        precondition(dataAlignment > 0 && dataAlignment % 8 == 0, "data alignment \(dataAlignment) is not a positive multiple of 8")
        let lengthField = 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (dataAlignment - (lengthField + bytes.count) % dataAlignment) % dataAlignment))
        return bytes
    }

    #if _endian(big)
    /// Byte-swaps each 4-byte word (only big-endian hosts need it; the format is little-endian).
    static func littleEndianInPlace(_ buffer: UnsafeMutableRawBufferPointer) {
        for offset in stride(from: 0, to: buffer.count, by: 4) {
            let word = buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            buffer.storeBytes(of: word.byteSwapped, toByteOffset: offset, as: UInt32.self)
        }
    }
    #endif
}

extension Tensor {
    /// Byte-wise UTF-8 order of names, the order the reference implementation uses.
    static func canonicallyPrecedes(_ lhs: Tensor, _ rhs: Tensor) -> Bool {
        lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }
}
