extension LabeledImages {
    /// A small, balanced, linearly separable data set for fast tests and demos.
    ///
    /// Feature `j` "belongs" to class `j % classes`: each class's prototype is about 0.75 on
    /// its own features and 0.25 elsewhere (plus a fixed per-class texture of ±0.1), and each
    /// example adds ±0.15 of uniform noise. Summing a class's own features therefore always
    /// separates it, so a linear model can reach (close to) 100% accuracy.
    /// Requires `classes` in 1...256 and `featureCount >= classes`.
    public static func synthetic(count: Int, featureCount: Int, classes: Int, seed: UInt64) throws(DatasetError) -> LabeledImages {
        guard count >= 0 else { throw .invalidArgument("synthetic: count \(count) must not be negative") }
        guard (1...256).contains(classes) else { throw .invalidArgument("synthetic: classes \(classes) must be in 1...256") }
        guard featureCount >= classes, featureCount <= 1 << 20 else {
            throw .invalidArgument("synthetic: featureCount \(featureCount) must be in \(classes)...\(1 << 20)")
        }
        var generator = SeededGenerator(seed: seed)
        var prototypes = [Float](repeating: 0, count: classes * featureCount)
        for label in 0..<classes {
            for feature in 0..<featureCount {
                let base: Float = feature % classes == label ? 0.75 : 0.25
                prototypes[label * featureCount + feature] = base + generator.nextFloat(in: -0.1, 0.1)
            }
        }
        var labels = (0..<count).map { UInt8($0 % classes) }
        generator.shuffle(&labels)

        var pixels = [Float](repeating: 0, count: count * featureCount)
        for (row, label) in labels.enumerated() {
            let prototype = Int(label) * featureCount
            for feature in 0..<featureCount {
                let value = prototypes[prototype + feature] + generator.nextFloat(in: -0.15, 0.15)
                pixels[row * featureCount + feature] = min(max(value, 0), 1)
            }
        }
        return try LabeledImages(pixels: pixels, labels: labels, featureCount: featureCount)
    }
}
