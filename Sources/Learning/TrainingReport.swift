/// What one call to `LocalTrainer.train` did.
public struct TrainingReport: Sendable, Hashable, Codable {
    /// Distinct local training examples: the weight this client's update gets in FedAvg.
    public var examples: Int
    public var epochs: Int
    /// Mean cross-entropy over the last epoch, measured on each batch before its step
    /// (the FedProx term is not included).
    public var meanLoss: Double
    /// Mean cross-entropy of every epoch, first to last.
    public var epochLosses: [Double]
    /// Wall-clock time spent training.
    public var seconds: Double

    public init(examples: Int, epochs: Int, meanLoss: Double, epochLosses: [Double], seconds: Double) {
        self.examples = examples
        self.epochs = epochs
        self.meanLoss = meanLoss
        self.epochLosses = epochLosses
        self.seconds = seconds
    }

    /// Examples processed (examples × epochs) per second of training.
    public var examplesPerSecond: Double {
        seconds > 0 ? Double(examples * epochs) / seconds : 0
    }
}
