import Learning
import Shared

/// Everything the aggregator keeps about one job.
struct AggregatedJob: Sendable {
    var job: FederatedLearningJob
    var phase: JobPhase = .waiting
    var model: ModelParameters?
    var version = 0
    var round: RoundState?
    /// The participants placement currently gives the job; each new round starts with these.
    var participants: [Participant] = []
    var lastClosed: ClosedRound?

    var policy: RoundPolicy { job.spec.aggregation ?? RoundPolicy() }

    var architecture: ModelArchitecture { (job.spec.training ?? TrainingSpec()).architecture }
    var training: TrainingConfiguration { (job.spec.training ?? TrainingSpec()).configuration }
}
