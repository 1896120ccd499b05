import Foundation
import Learning
import Shared

/// What a collaborator rebuilds from the log at start, after a clean stop or a SIGKILL alike:
/// each job's latest global model and announced rounds (from `flotilla.rounds`), which jobs
/// ended (`flotilla.jobs`), and what this cluster already did (its own updates, participation
/// failures and evaluations on `flotilla.updates`). From these, ``pending`` is what the
/// crash left undone: a round that names this cluster and that it never answered is trained
/// now; a completed round it contributed to and never evaluated is evaluated now. Nothing it
/// already sent is sent again.
struct CollaboratorRecovery: Sendable {
    let cluster: String
    private(set) var models: [String: GlobalModelPublished] = [:]
    /// Rounds as announced, per job: the latest announcement of each round.
    private(set) var announced: [String: [Int: RoundStarted]] = [:]
    private(set) var completed: [String: RoundCompleted] = [:]
    /// Rounds this cluster sent an update or a participation failure for.
    private(set) var answered: [String: Set<Int>] = [:]
    /// The latest round of each job this cluster reported an evaluation for.
    private(set) var evaluated: [String: Int] = [:]
    private var ended: Set<String> = []
    private var failed: Set<String> = []

    /// The source this cluster's agent publishes under: other clusters' updates are skipped unread.
    let source: String

    init(cluster: String, source: String) {
        self.cluster = cluster
        self.source = source
    }

    /// Whether a piece of a large event is worth reassembling: global models, and this
    /// cluster's own updates (only their round is needed, but it is inside the model file).
    func reassembles(_ envelope: EventEnvelope) -> Bool {
        envelope.type != .modelUpdateSubmitted || envelope.source == source
    }

    mutating func apply(_ event: ConsumedEvent) {
        switch event.envelope.type {
        case .globalModelPublished:
            guard let model = try? event.model(GlobalModelPublished.self), !failed.contains(model.jobID) else { return }
            if (models[model.jobID]?.version ?? -1) <= model.version { models[model.jobID] = model }
        case .roundStarted:
            guard let started = try? event.payload(RoundStarted.self) else { return }
            announced[started.jobID, default: [:]][started.round] = started
        case .roundCompleted:
            guard let round = try? event.payload(RoundCompleted.self), round.round >= (completed[round.jobID]?.round ?? 0) else { return }
            completed[round.jobID] = round
            // Only the completed round (to evaluate) and later ones (to train) matter from now on.
            announced[round.jobID] = announced[round.jobID]?.filter { $0.key >= round.round }
        case .jobPhaseChanged:
            guard let change = try? event.payload(JobPhaseChanged.self), change.phase.isTerminal else { return }
            ended.insert(change.jobID)
            // A failed job needs nothing more; a completed one may still owe its last evaluation.
            if change.phase == .failed {
                failed.insert(change.jobID)
                models[change.jobID] = nil
            }
        case .modelUpdateSubmitted:
            guard event.envelope.source == source, let update = try? event.model(ModelUpdateSubmitted.self), update.cluster == cluster else { return }
            answered[update.jobID, default: []].insert(update.round)
        case .roundParticipationFailed:
            guard let failure = try? event.payload(RoundParticipationFailed.self), failure.cluster == cluster else { return }
            answered[failure.jobID, default: []].insert(failure.round)
        case .evaluationReported:
            guard let report = try? event.payload(EvaluationReported.self), report.cluster == cluster else { return }
            evaluated[report.jobID] = max(evaluated[report.jobID] ?? 0, report.round)
        default:
            return
        }
    }

    struct Pending: Sendable {
        /// Rounds that name this cluster, still open, never answered: to train now.
        var rounds: [RoundStarted] = []
        /// Completed rounds this cluster contributed to and never evaluated: to evaluate now.
        var evaluations: [RoundCompleted] = []
    }

    /// What the crash left undone, for jobs still running.
    var pending: Pending {
        var pending = Pending()
        for job in announced.keys.sorted() where !ended.contains(job) {
            let last = completed[job]?.round ?? 0
            if let open = announced[job]?.filter({ $0.key > last }).max(by: { $0.key < $1.key })?.value,
               open.participants.contains(where: { $0.cluster == cluster }), !(answered[job]?.contains(open.round) ?? false) {
                pending.rounds.append(open)
            }
        }
        // A completed job's last round is still evaluated: that report may be what the crash lost.
        for job in completed.keys.sorted() where !failed.contains(job) {
            guard let round = completed[job], round.round > (evaluated[job] ?? 0), round.contributions.contains(where: { $0.cluster == cluster }) else { continue }
            pending.evaluations.append(round)
        }
        return pending
    }

    /// The latest round of each job that needs nothing more from this cluster: completed, or answered.
    var handledRounds: [String: Int] {
        var handled = completed.mapValues(\.round)
        for (job, rounds) in answered { handled[job] = max(handled[job] ?? 0, rounds.max() ?? 0) }
        return handled
    }
}
