/// Flotilla's extension `spec.evaluation`: after every `everyRounds`-th round, each of the
/// round's contributors scores the new global model on its own held-out data (the built-in
/// trainers hold out every tenth example of the shard; a Flower app runs `@app.evaluate()`; a
/// command gets the `evaluate` task) and reports the numbers, which the hub weighs by example
/// count. 0 turns it off.
public struct EvaluationSpec: Codable, Sendable, Hashable {
    public var everyRounds: Int?

    public static let defaultEveryRounds = 1

    public init(everyRounds: Int? = nil) { self.everyRounds = everyRounds }

    func validate(at path: String) -> [FieldError] {
        guard let everyRounds, !(0...JobDocument.maximumRounds).contains(everyRounds) else { return [] }
        return [FieldError(field: "\(path).everyRounds", problem: "must be in 0...\(JobDocument.maximumRounds) (0: never), got \(everyRounds)")]
    }
}

extension FederatedLearningJob {
    /// Every how many rounds the contributors evaluate the global model (0: never).
    public var evaluateEvery: Int { spec.evaluation?.everyRounds ?? EvaluationSpec.defaultEveryRounds }
}
