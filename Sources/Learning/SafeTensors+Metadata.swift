extension SafeTensors {
    /// Reads only the header's `__metadata__`, without copying any tensor data: how a
    /// consumer that needs an update's round and sender avoids decoding megabytes of floats.
    public static func metadata(of bytes: [UInt8]) throws(SafeTensorsError) -> [String: String] {
        guard bytes.count >= 8 else { throw .fileTooShort(byteCount: bytes.count) }
        let declared = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let available = bytes.count - 8
        guard declared >= 2, declared <= UInt64(min(available, maximumHeaderLength)) else {
            throw .headerLengthOutOfRange(declared: declared, available: available)
        }
        return try parseHeader(bytes[8..<8 + Int(declared)]).1
    }
}
