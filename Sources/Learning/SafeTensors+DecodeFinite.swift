extension SafeTensors {
    /// `decode`, proving every value finite on the way: the check rides on the copy that decoding
    /// makes anyway (no second read of the data), and large tensors are copied on all cores.
    /// Throws `.nonFiniteValues` naming the first tensor, in name order, that holds NaN or infinity.
    ///
    /// The whole file given at once to ``SafeTensorsStreamDecoder``: one decoder, whether a
    /// model arrives whole or in pieces.
    public static func decodeFinite(_ bytes: [UInt8]) throws(SafeTensorsError) -> (parameters: FiniteParameters, metadata: [String: String]) {
        let decoded = try decodeChecked(bytes)
        switch decoded.values {
        case let .finite(parameters): return (parameters, decoded.metadata)
        case let .nonFinite(_, firstTensor): throw .nonFiniteValues(tensor: firstTensor)
        }
    }

    /// Decodes a whole file, with the finiteness proof when every value is finite.
    public static func decodeChecked(_ bytes: [UInt8]) throws(SafeTensorsError) -> DecodedModel {
        var decoder = SafeTensorsStreamDecoder(byteLimit: bytes.count)
        decoder.append(bytes)
        return try decoder.finish()
    }
}
