/// A set of labelled images held in memory: `count` rows of `featureCount` pixels each,
/// row-major, scaled to 0...1, with one label per row.
public struct LabeledImages: Sendable, Hashable {
    public let count: Int
    public let featureCount: Int
    /// Image height and width (`rows × columns == featureCount`), kept so shards can be
    /// written back as IDX images of the original shape.
    public let rows: Int
    public let columns: Int
    public let pixels: [Float]
    public let labels: [UInt8]

    public init(pixels: [Float], labels: [UInt8], rows: Int, columns: Int) throws(DatasetError) {
        guard rows > 0, columns > 0, rows.multipliedReportingOverflow(by: columns).overflow == false else {
            throw .invalidArgument("image shape \(rows)×\(columns) must be positive")
        }
        let featureCount = rows * columns
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, expected == pixels.count else {
            throw .pixelCountMismatch(expected: overflow ? Int.max : expected, actual: pixels.count)
        }
        self.count = labels.count
        self.featureCount = featureCount
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Flat feature vectors, treated as 1 × featureCount images.
    public init(pixels: [Float], labels: [UInt8], featureCount: Int) throws(DatasetError) {
        try self.init(pixels: pixels, labels: labels, rows: 1, columns: featureCount)
    }

    /// How many examples carry each label, indexed by label (length = largest label + 1).
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: Int(labels.max() ?? 0) + 1)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Only the examples whose label is in `digits`, in their original order.
    public func filtered(digits: Set<UInt8>) -> LabeledImages {
        selecting(labels.indices.filter { digits.contains(labels[$0]) })
    }

    /// The first `n` examples (all of them if `n >= count`, none if `n <= 0`).
    public func prefix(_ n: Int) -> LabeledImages {
        selecting(Array(0..<min(max(n, 0), count)))
    }

    /// The examples at `indices`, in that order. Indices must be in 0..<count.
    func selecting(_ indices: [Int]) -> LabeledImages {
        var selectedPixels = [Float]()
        selectedPixels.reserveCapacity(indices.count * featureCount)
        pixels.withUnsafeBufferPointer { source in
            for index in indices {
                let start = index * featureCount
                selectedPixels.append(contentsOf: source[start..<start + featureCount])
            }
        }
        return LabeledImages(
            validatedPixels: selectedPixels, labels: indices.map { labels[$0] }, rows: rows, columns: columns)
    }

    /// For subsets of an already-valid set, where the shapes are known to agree.
    private init(validatedPixels: [Float], labels: [UInt8], rows: Int, columns: Int) {
        self.count = labels.count
        self.featureCount = rows * columns
        self.rows = rows
        self.columns = columns
        self.pixels = validatedPixels
        self.labels = labels
    }
}
