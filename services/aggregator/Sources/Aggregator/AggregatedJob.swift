import Learning
import Shared

/// Everything the aggregator keeps about one job.
struct AggregatedJob: Sendable {
    var job: FederatedLearningJob
    /// The id of the `JobSubmitted` event: the namespace of this job's derived event ids, so a
    /// later job with the same name never shares them.
    var submissionID: String
    var phase: JobPhase = .waiting
    var model: ModelParameters?
    /// The uploaded model round 1 starts from (`spec.server.initialModel`), read from the hub's
    /// blobs before the job is handed over; released once round 1 has started.
    var initialModel: ModelParameters?
    var version = 0
    var round: RoundState?
    /// The participants placement currently gives the job; each new round starts with these.
    var participants: [Participant] = []
    var lastClosed: ClosedRound?
    /// Server optimiser moments (FedAdam, FedYogi, FedAdagrad), carried from round to round.
    var optimizerState = ServerOptimizerState.initial

    init(job: FederatedLearningJob, submissionID: String) {
        self.job = job
        self.submissionID = submissionID
    }

    var policy: RoundPolicy { job.spec.aggregation ?? RoundPolicy() }

    /// Fails the job for good (no round stays open, no starting model is kept) and returns the
    /// phase change to publish. `previous`: the phase the log last showed, when it is not `phase`.
    mutating func fail(reason: String, message: String, previous: JobPhase? = nil) -> AggregatorAction {
        let from = previous ?? phase
        phase = .failed
        round = nil
        initialModel = nil
        return .publishPhase(JobPhaseChanged(jobID: job.id, phase: .failed, previous: from, reason: reason, message: message))
    }

    var architecture: ModelArchitecture { (job.spec.training ?? TrainingSpec()).architecture }

    /// Round 1's global model: the uploaded one, or the built-in model from its seed.
    var startingModel: ModelParameters { initialModel ?? architecture.initialParameters(seed: training.seed) }

    /// The built-in model every update must match, or nil when the job brought its own model
    /// (then each update must match the round's global model, which the round aggregator checks).
    var builtInArchitecture: ModelArchitecture? { job.spec.server.initialModel == nil ? architecture : nil }
    var strategy: AggregationStrategy { policy.aggregation.strategy }

    /// What collaborators train with; FedProx's mu comes from the strategy when it is chosen.
    var training: TrainingConfiguration {
        var configuration = (job.spec.training ?? TrainingSpec()).configuration
        if case .fedProx(let mu) = strategy { configuration.proximalMu = mu }
        return configuration
    }

    /// `<storage.path>/<job>/round-NNNN.safetensors`, before the aggregator's model root.
    func modelPath(round: Int) -> String {
        "\(job.spec.server.storage.path)/\(job.id)/round-\(String(format: "%04d", round)).safetensors"
    }
}
