/// What a server-side optimizer (FedAdam, FedYogi, FedAdagrad) carries from one round to the
/// next: its moment vectors and how many steps it has taken. Strategies without a server
/// optimizer pass it through unchanged. It is a plain value, so a restarted aggregator can
/// persist it with each round's model and rebuild from it.
public struct ServerOptimizerState: Codable, Sendable, Hashable {
    /// Server optimizer steps taken so far (one per aggregated round). FedAdam's bias
    /// correction depends on it.
    public var steps: Int
    /// The first moment m (momentum of the pseudo-gradient); nil until the first step, and
    /// always nil for FedAdagrad, whose m is just the current pseudo-gradient (β₁ = 0).
    public var firstMoment: ModelParameters?
    /// The second moment v; nil until the first step.
    public var secondMoment: ModelParameters?

    public init(steps: Int = 0, firstMoment: ModelParameters? = nil, secondMoment: ModelParameters? = nil) {
        self.steps = steps
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// The state before the first round.
    public static let initial = ServerOptimizerState()

    /// Checks that the moments, when present, are shaped like `global` and finite.
    func check(against global: ModelParameters) throws(RoundAggregationError) {
        guard steps >= 0 else { throw .stateMismatch(reason: "steps is negative (\(steps))") }
        for (label, moment) in [("firstMoment", firstMoment), ("secondMoment", secondMoment)] {
            guard let moment else { continue }
            guard moment.hasSameLayout(as: global), moment.isConsistent else {
                throw .stateMismatch(reason: "\(label) does not have the global model's tensor names and shapes")
            }
            guard moment.allFinite else { throw .stateMismatch(reason: "\(label) contains NaN or infinite values") }
        }
    }
}
