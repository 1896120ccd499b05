import Foundation
import Learning
import Shared

/// Re-aggregates a running job's completed rounds from the update log, after a restart.
///
/// Each `RoundCompleted` lists the updates it folded, by event id, in fold order. They are
/// folded again in exactly that order from the same model and server optimizer state, so the
/// result has the same bits; each round's model must hash to the logged sha256, or the
/// rebuild fails with the reason. Updates arrive in log order; one that comes before its turn
/// waits, anything not listed (a rejected or discarded update) is ignored.
struct RoundRebuild: Sendable {
    private(set) var job: AggregatedJob
    private let completed: [RoundCompleted]
    /// The round's participants when it started, by round number (for the last closed round).
    private let started: [Int: RoundStarted]
    private var index = 0
    private var next = 0
    private var aggregator: RoundAggregator?
    /// The service's pending budget, so a replay needs no more memory than live rounds do.
    private let pendingUpdateBytes: Int
    private var early: [String: ModelUpdateSubmitted] = [:]
    /// Every update id the completed rounds folded.
    private let expected: Set<String>
    /// Model files to check on disk (rewritten when missing or different).
    /// Rebuilt rounds' files not yet taken (see ``takeModels()``).
    private var models: [StoredModel] = []
    private(set) var roundsRebuilt = 0

    /// The files of the rounds rebuilt since the last call, to restore now: holding every
    /// round's file until the whole job is rebuilt would cost a model per completed round.
    mutating func takeModels() -> [StoredModel] {
        defer { models = [] }
        return models
    }
    private(set) var failure: String?

    var isDone: Bool { failure != nil || index == completed.count }

    /// What is still missing when the log ran out first.
    var missing: String {
        guard index < completed.count else { return "nothing" }
        let round = completed[index]
        let ids = round.contributions[next...].map { $0.updateEventID ?? "?" }
        return "round \(round.round): update(s) \(ids.joined(separator: ", ")) are not in the log"
    }

    init(job: AggregatedJob, completed: [RoundCompleted], started: [Int: RoundStarted], pendingUpdateBytes: Int) {
        self.job = job
        self.pendingUpdateBytes = pendingUpdateBytes
        self.completed = completed
        self.started = started
        self.expected = Set(completed.flatMap { $0.contributions.compactMap(\.updateEventID) })
        self.job.model = job.startingModel
        self.job.initialModel = nil
        self.job.version = 0
        beginRound()
    }

    mutating func add(_ update: ModelUpdateSubmitted, eventID: String) {
        guard !isDone else { return }
        guard expected.contains(eventID) else { return }
        early[eventID] = update
        while !isDone, let id = completed[index].contributions[next].updateEventID, let waiting = early.removeValue(forKey: id) {
            fold(waiting)
        }
    }

    private mutating func beginRound() {
        guard index < completed.count else { return }
        let round = completed[index]
        guard round.round == index + 1 else { return fail("the log's completed rounds are not 1, 2, 3...: found round \(round.round) in place of \(index + 1)") }
        guard round.contributions.allSatisfy({ $0.updateEventID != nil }) else { return fail("round \(round.round) does not name the updates it folded") }
        guard round.strategy == job.strategy.name else { return fail("round \(round.round) used \(round.strategy), the job specifies \(job.strategy.name)") }
        do {
            aggregator = try RoundAggregator(
                configuration: job.policy.aggregation, global: job.model ?? ModelParameters(tensors: []), state: job.optimizerState,
                pendingByteBudget: pendingUpdateBytes
            )
        } catch {
            return fail("round \(round.round): \(error)")
        }
        next = 0
        if round.contributions.isEmpty { fail("round \(round.round) folded no update") }
    }

    private mutating func fold(_ update: ModelUpdateSubmitted) {
        let round = completed[index]
        do {
            try aggregator?.add(update)
        } catch {
            return fail("round \(round.round): update from \(update.cluster) no longer folds: \(error)")
        }
        next += 1
        if next == round.contributions.count { finishRound() }
    }

    private mutating func finishRound() {
        let round = completed[index]
        guard var aggregator = aggregator.take() else { return }
        let model: ModelParameters
        do {
            (model, job.optimizerState) = try aggregator.finishInPlace()
        } catch {
            return fail("round \(round.round): \(error)")
        }
        let bytes = AggregationCoordinator.modelFile(model, jobID: job.job.id, round: round.round, strategy: round.strategy)
        let sha = ModelDigest.sha256(bytes)
        guard sha == round.modelSHA256 else {
            return fail("round \(round.round) re-aggregates to sha256 \(sha.prefix(12)), the log says \(round.modelSHA256.prefix(12))")
        }
        roundsRebuilt += 1
        models.append(StoredModel(
            jobID: job.job.id, round: round.round, path: round.modelPath, bytes: bytes,
            manifest: ModelManifest(job: job.job.id, round: round.round, sha256: sha, strategy: round.strategy, contributors: round.contributions, parameterCount: model.parameterCount)
        ))
        job.model = model
        job.version = round.round
        let asked = started[round.round].map { Set($0.participants.map(\.cluster)) } ?? Set(round.contributions.map(\.cluster))
        job.lastClosed = ClosedRound(number: round.round, participants: asked, answered: Set(round.contributions.filter { $0.lateFromRound == nil }.map(\.cluster)))
        self.aggregator = nil
        index += 1
        beginRound()
    }

    private mutating func fail(_ reason: String) {
        failure = reason
    }
}
