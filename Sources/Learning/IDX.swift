/// The IDX format used by MNIST (http://yann.lecun.com/exdb/mnist/), unsigned-byte data only:
///
///     [0x00 0x00 0x08 ndims][ndims big-endian UInt32 sizes][product(sizes) bytes]
///
/// Images are `0x00000803` (count, rows, columns); labels are `0x00000801` (count).
public enum IDX {
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801
    static let unsignedByteType: UInt8 = 0x08

    /// Decodes any unsigned-byte IDX array, checking the magic, the dimensions and that the
    /// data length matches them exactly.
    public static func decode(_ bytes: [UInt8]) throws(IDXError) -> IDXArray {
        guard bytes.count >= 4 else { throw .fileTooShort(byteCount: bytes.count, needed: 4) }
        if bytes[0] == 0x1F, bytes[1] == 0x8B { throw .compressed }
        let magic = readBigEndian(bytes, at: 0)
        guard bytes[0] == 0, bytes[1] == 0 else { throw .badMagic(found: magic) }
        guard bytes[2] == unsignedByteType else { throw .unsupportedElementType(code: bytes[2]) }
        let dimensionCount = Int(bytes[3])
        guard dimensionCount >= 1 else { throw .badMagic(found: magic) }

        let headerLength = 4 + 4 * dimensionCount
        guard bytes.count >= headerLength else { throw .fileTooShort(byteCount: bytes.count, needed: headerLength) }
        var dimensions: [Int] = []
        var expected = 1
        for index in 0..<dimensionCount {
            let size = Int(readBigEndian(bytes, at: 4 + 4 * index))
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .dimensionsTooLarge(dimensions + [size]) }
            expected = product
            dimensions.append(size)
        }
        let dataLength = bytes.count - headerLength
        guard dataLength == expected else {
            throw .lengthMismatch(dimensions: dimensions, expectedBytes: expected, actualBytes: dataLength)
        }
        return IDXArray(dimensions: dimensions, values: Array(bytes[headerLength...]))
    }

    /// Encodes an unsigned-byte IDX array; the dimensions must fit in UInt32 and match the values.
    public static func encode(_ array: IDXArray) throws(IDXError) -> [UInt8] {
        guard (1...255).contains(array.dimensions.count),
              array.dimensions.allSatisfy({ (0...Int(UInt32.max)).contains($0) }),
              let expected = Tensor.elementCount(of: array.dimensions)
        else { throw .dimensionsTooLarge(array.dimensions) }
        guard expected == array.values.count else {
            throw .lengthMismatch(dimensions: array.dimensions, expectedBytes: expected, actualBytes: array.values.count)
        }
        var bytes: [UInt8] = [0, 0, unsignedByteType, UInt8(array.dimensions.count)]
        bytes.reserveCapacity(4 + 4 * array.dimensions.count + array.values.count)
        for size in array.dimensions {
            withUnsafeBytes(of: UInt32(size).bigEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: array.values)
        return bytes
    }

    /// Decodes an images file (magic 0x00000803).
    public static func decodeImages(_ bytes: [UInt8]) throws(IDXError) -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        try requireMagic(imagesMagic, in: bytes)
        let array = try decode(bytes)
        return (array.dimensions[0], array.dimensions[1], array.dimensions[2], array.values)
    }

    /// Decodes a labels file (magic 0x00000801).
    public static func decodeLabels(_ bytes: [UInt8]) throws(IDXError) -> [UInt8] {
        try requireMagic(labelsMagic, in: bytes)
        return try decode(bytes).values
    }

    public static func encodeImages(pixels: [UInt8], count: Int, rows: Int, columns: Int) throws(IDXError) -> [UInt8] {
        try encode(IDXArray(dimensions: [count, rows, columns], values: pixels))
    }

    public static func encodeLabels(_ labels: [UInt8]) throws(IDXError) -> [UInt8] {
        try encode(IDXArray(dimensions: [labels.count], values: labels))
    }

    static func requireMagic(_ expected: UInt32, in bytes: [UInt8]) throws(IDXError) {
        guard bytes.count >= 4 else { throw .fileTooShort(byteCount: bytes.count, needed: 4) }
        if bytes[0] == 0x1F, bytes[1] == 0x8B { throw .compressed }
        let found = readBigEndian(bytes, at: 0)
        guard found == expected else { throw .unexpectedMagic(expected: expected, found: found) }
    }

    static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
