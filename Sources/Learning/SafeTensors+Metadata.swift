extension SafeTensors {
    /// How many leading bytes hold the length field and the header, once the first 8 are known
    /// (8 before that); a declared length beyond the limit counts as the limit.
    public static func headerEnd(of prefix: [UInt8]) -> Int {
        guard let declared = declaredHeaderLength(of: prefix) else { return 8 }
        return 8 + Int(min(declared, UInt64(maximumHeaderLength)))
    }

    /// Reads only the header's `__metadata__`, without copying any tensor data: how a
    /// consumer that needs an update's round and sender avoids decoding megabytes of floats.
    public static func metadata(of bytes: [UInt8]) throws(SafeTensorsError) -> [String: String] {
        try parseHeader(headerSlice(of: bytes)).1
    }
}
