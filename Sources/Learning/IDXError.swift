/// Why a byte buffer is not the expected unsigned-byte IDX file.
public enum IDXError: Error, Sendable, Hashable, CustomStringConvertible {
    case fileTooShort(byteCount: Int, needed: Int)
    case compressed
    case badMagic(found: UInt32)
    case unexpectedMagic(expected: UInt32, found: UInt32)
    case unsupportedElementType(code: UInt8)
    case dimensionsTooLarge([Int])
    case lengthMismatch(dimensions: [Int], expectedBytes: Int, actualBytes: Int)

    public var description: String {
        switch self {
        case let .fileTooShort(byteCount, needed):
            "IDX: file is \(byteCount) bytes but its header needs \(needed)"
        case .compressed:
            "IDX: file is gzip-compressed; decompress it first (gunzip)"
        case let .badMagic(found):
            "IDX: magic \(IDXError.hex(found)) is not an IDX magic number (expected 0x000008nn)"
        case let .unexpectedMagic(expected, found):
            "IDX: magic \(IDXError.hex(found)) does not match the expected \(IDXError.hex(expected))"
        case let .unsupportedElementType(code):
            "IDX: element type 0x\(String(code, radix: 16)) is not supported; only unsigned bytes (0x08) are"
        case let .dimensionsTooLarge(dimensions):
            "IDX: dimensions \(dimensions) are empty, negative or too large"
        case let .lengthMismatch(dimensions, expectedBytes, actualBytes):
            "IDX: dimensions \(dimensions) need \(expectedBytes) data bytes but there are \(actualBytes)"
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
