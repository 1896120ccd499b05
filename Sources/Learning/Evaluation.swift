/// How well a model classifies a labelled data set.
public struct Evaluation: Sendable, Hashable, Codable {
    /// Fraction of examples whose most probable class is their label.
    public var accuracy: Double
    /// Mean cross-entropy −log p(label).
    public var meanLoss: Double
    /// One entry per class of the model, in label order, including classes with no examples.
    public var perClass: [ClassAccuracy]

    public init(accuracy: Double, meanLoss: Double, perClass: [ClassAccuracy]) {
        self.accuracy = accuracy
        self.meanLoss = meanLoss
        self.perClass = perClass
    }

    /// Total examples evaluated.
    public var examples: Int {
        perClass.reduce(0) { $0 + $1.total }
    }
}

/// Accuracy on the examples of one label.
public struct ClassAccuracy: Sendable, Hashable, Codable {
    public var label: Int
    public var correct: Int
    public var total: Int
    /// correct / total, or 0 when the class has no examples (JSON has no NaN).
    public var accuracy: Double

    public init(label: Int, correct: Int, total: Int) {
        self.label = label
        self.correct = correct
        self.total = total
        self.accuracy = total > 0 ? Double(correct) / Double(total) : 0
    }
}
