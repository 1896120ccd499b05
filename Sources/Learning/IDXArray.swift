/// An unsigned-byte array read from or written to an IDX file: its dimensions (outermost
/// first, as stored) and its values in row-major order.
public struct IDXArray: Sendable, Hashable {
    public var dimensions: [Int]
    public var values: [UInt8]

    public init(dimensions: [Int], values: [UInt8]) {
        self.dimensions = dimensions
        self.values = values
    }
}
