import Learning

/// The bounds on local training that the job document enforces (`spec.training`), and that a
/// collaborator enforces again on the `RoundStarted` it consumes: a round put on the log
/// directly must not make it allocate a huge model or train for ever.
public enum TrainingLimits {
    /// 64 Mi parameters: 256 MiB per model, which the aggregator holds once per update in flight.
    public static let maximumParameters = 1 << 26
    public static let maximumEpochs = 1_000
    public static let maximumBatchSize = 1 << 20

    /// Problems with resolved settings, each as `(field, problem)` relative to `spec.training`.
    public static func problems(architecture: ModelArchitecture, configuration: TrainingConfiguration) -> [(field: String, problem: String)] {
        var problems: [(field: String, problem: String)] = []
        if !(1...maximumEpochs).contains(configuration.epochs) {
            problems.append(("epochs", "must be in 1...\(maximumEpochs), got \(configuration.epochs)"))
        }
        if !(1...maximumBatchSize).contains(configuration.batchSize) {
            problems.append(("batchSize", "must be in 1...\(maximumBatchSize), got \(configuration.batchSize)"))
        }
        if !(configuration.learningRate > 0 && configuration.learningRate <= 10) {
            problems.append(("learningRate", "must be in (0, 10], got \(configuration.learningRate)"))
        }
        if !(configuration.proximalMu >= 0 && configuration.proximalMu <= 100) {
            problems.append(("proximalMu", "must be in [0, 100], got \(configuration.proximalMu)"))
        }
        do throws(ModelError) {
            // Each size may be in range while the model they make is not (every service holds it).
            try architecture.validateDimensions()
            if architecture.parameterCount > maximumParameters {
                problems.append(("", "the model would have \(architecture.parameterCount) parameters; at most \(maximumParameters) (256 MiB) are allowed"))
            }
        } catch {
            problems.append(("", "\(error)"))
        }
        return problems
    }
}
