/// Why a byte buffer is not a valid float32 safetensors file. Each message names the tensor
/// or header field at fault.
public enum SafeTensorsError: Error, Sendable, Hashable, CustomStringConvertible {
    case fileTooShort(byteCount: Int)
    case headerLengthOutOfRange(declared: UInt64, available: Int)
    case headerNotJSON(reason: String)
    case headerNotObject(found: String)
    case invalidMetadata(reason: String)
    case missingField(tensor: String, field: String)
    case invalidField(tensor: String, field: String, reason: String)
    case unsupportedDType(tensor: String, dtype: String)
    case byteLengthMismatch(tensor: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataLength: Int)
    case overlappingTensors(first: String, second: String)
    case gapBeforeTensor(tensor: String, expectedOffset: Int, actualOffset: Int)
    case trailingBytes(count: Int)
    /// Only from `decodeFinite`: the tensor holds NaN or infinity.
    case nonFiniteValues(tensor: String)

    public var description: String {
        switch self {
        case let .fileTooShort(byteCount):
            "safetensors: file is \(byteCount) bytes, too short for the 8-byte header length"
        case let .headerLengthOutOfRange(declared, available):
            "safetensors: header length \(declared) is out of range (\(available) bytes follow the length field, "
                + "limit \(SafeTensors.maximumHeaderLength))"
        case let .headerNotJSON(reason):
            "safetensors: header is not valid JSON: \(reason)"
        case let .headerNotObject(found):
            "safetensors: header must be a JSON object, found \(found)"
        case let .invalidMetadata(reason):
            "safetensors: \(SafeTensors.metadataKey) \(reason)"
        case let .missingField(tensor, field):
            "safetensors: tensor '\(tensor)' has no '\(field)' field"
        case let .invalidField(tensor, field, reason):
            "safetensors: tensor '\(tensor)' field '\(field)' \(reason)"
        case let .unsupportedDType(tensor, dtype):
            "safetensors: tensor '\(tensor)' has dtype '\(dtype)'; only '\(SafeTensors.float32DType)' is supported"
        case let .byteLengthMismatch(tensor, shape, expectedBytes, actualBytes):
            "safetensors: tensor '\(tensor)' has shape \(shape), which needs \(expectedBytes) bytes, "
                + "but its data_offsets span \(actualBytes) bytes"
        case let .offsetsOutOfRange(tensor, begin, end, dataLength):
            "safetensors: tensor '\(tensor)' data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data section"
        case let .overlappingTensors(first, second):
            "safetensors: tensors '\(first)' and '\(second)' overlap in the data section"
        case let .gapBeforeTensor(tensor, expectedOffset, actualOffset):
            "safetensors: tensor '\(tensor)' starts at offset \(actualOffset), leaving a gap after offset \(expectedOffset)"
        case let .trailingBytes(count):
            "safetensors: \(count) bytes after the last tensor are not described by the header"
        case let .nonFiniteValues(tensor):
            "safetensors: tensor '\(tensor)' contains NaN or infinite values"
        }
    }
}
