/// Hyper-parameters for one round of local training on a client.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// Passes over the local data per round.
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    /// FedProx proximal weight μ: adds μ·(w − w_global) to every gradient. 0 turns it off.
    public var proximalMu: Float
    /// Seeds the per-epoch shuffles, so a round is reproducible.
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int, learningRate: Float, proximalMu: Float = 0, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.proximalMu = proximalMu
        self.seed = seed
    }

    /// Chosen by simulating the three-client MNIST demo (digit shards {0-3}, {4-6}, {7-9} of
    /// the 60k training set, FedAvg weighted by example counts, `ModelArchitecture.demoDefault`
    /// = MLP with 64 hidden units): the global model passes 0.85 test accuracy by round 6-8 and
    /// ends near 0.87-0.90 after 10 rounds across seeds, while each client trained alone stays
    /// below 0.42 and never predicts a digit it has not seen. Softmax regression plateaus near
    /// 0.85 at round 10 under every setting tried, and FedProx (μ = 0.01-1) only slowed it.
    /// One epoch per round keeps client drift small; more epochs or larger rates oscillate.
    public static let `default` = TrainingConfiguration(epochs: 1, batchSize: 32, learningRate: 0.2, proximalMu: 0, seed: 0)

    public func validate() throws(TrainingError) {
        guard epochs >= 1 else { throw .invalidConfiguration("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw .invalidConfiguration("batchSize must be at least 1, got \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidConfiguration("learningRate must be positive and finite, got \(learningRate)")
        }
        guard proximalMu.isFinite, proximalMu >= 0 else {
            throw .invalidConfiguration("proximalMu must be zero or positive and finite, got \(proximalMu)")
        }
    }
}
