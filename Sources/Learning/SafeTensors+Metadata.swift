extension SafeTensors {
    /// Reads only the header's `__metadata__`, without copying any tensor data: how a
    /// consumer that needs an update's round and sender avoids decoding megabytes of floats.
    public static func metadata(of bytes: [UInt8]) throws(SafeTensorsError) -> [String: String] {
        try parseHeader(headerSlice(of: bytes)).1
    }
}
