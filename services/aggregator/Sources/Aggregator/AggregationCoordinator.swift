import Foundation
import Learning
import Shared

/// The aggregator's state machine. Feed it events; it returns the actions to perform.
/// Pure (no I/O, no clock), so every rule is tested by feeding events.
public struct AggregationCoordinator: Sendable {
    var jobs: [String: AggregatedJob] = [:]
    /// Placement decisions read before their job's submission.
    var earlyPlacements: [String: PlacementDecided] = [:]
    /// Bytes of accepted updates each round may hold back to fold several in one pass.
    public let pendingUpdateBytes: Int
    /// None: the service folds each update as it arrives. Updates come through the broker far
    /// apart (a 40 MB update is ~45 messages; a fold takes milliseconds), so holding one back to
    /// fuse it with the next saves nothing measurable and would keep a whole model in memory:
    /// the round then needs the global model, the sum and the arriving update, nothing more.
    public static let defaultPendingUpdateBytes = 0

    public init(pendingUpdateBytes: Int = defaultPendingUpdateBytes) { self.pendingUpdateBytes = pendingUpdateBytes }

    func roundAggregator(for job: AggregatedJob, global: ModelParameters) throws(RoundAggregationError) -> RoundAggregator {
        try RoundAggregator(configuration: job.policy.aggregation, global: global, state: job.optimizerState, pendingByteBudget: pendingUpdateBytes)
    }

    public func phase(of jobID: String) -> JobPhase? { jobs[jobID]?.phase }
    public func currentRound(of jobID: String) -> Int? { jobs[jobID]?.round?.number }

    /// `eventID` is the `JobSubmitted` event's id: the namespace of the job's derived event ids.
    /// A placement decision that arrived first (jobs and placements are separate topics, read
    /// in no fixed order) is applied now.
    /// `initialModel`: the decoded `spec.server.initialModel`, when the job names one.
    public mutating func jobSubmitted(
        _ submitted: JobSubmitted, eventID: String? = nil, initialModel: ModelParameters? = nil, now: Date = Date(timeIntervalSince1970: 0)
    ) -> [AggregatorAction] {
        guard jobs[submitted.job.id] == nil else { return [] }
        var job = AggregatedJob(job: submitted.job, submissionID: eventID ?? "job/\(submitted.job.id)")
        job.initialModel = initialModel
        jobs[submitted.job.id] = job
        guard let early = earlyPlacements.removeValue(forKey: submitted.job.id) else { return [] }
        return placementDecided(early, now: now)
    }

    /// The namespace for the ids of events about `jobID` (see ``EventIdentity``).
    public func eventNamespace(of jobID: String) -> String { jobs[jobID]?.submissionID ?? "job/\(jobID)" }

    /// The open round's number and how many updates it has folded in (for fault points).
    public func progress(of jobID: String) -> (round: Int, folded: Int)? {
        jobs[jobID]?.round.map { ($0.number, $0.contributions.count) }
    }

    /// Another service moved the job (e.g. placement failed it): stop working on it.
    public mutating func phaseChanged(_ change: JobPhaseChanged) {
        guard let job = jobs[change.jobID], job.phase.canMove(to: change.phase) else { return }
        jobs[change.jobID]?.phase = change.phase
        if change.phase.isTerminal { jobs[change.jobID]?.round = nil }
    }

    /// A sufficient placement starts a waiting job: version 0 of the model, then round 1.
    public mutating func placementDecided(_ decided: PlacementDecided, now: Date = Date(timeIntervalSince1970: 0)) -> [AggregatorAction] {
        guard var job = jobs[decided.jobID] else {
            // Read before its job: kept (the latest generation) until the job arrives.
            if (earlyPlacements[decided.jobID]?.generation ?? .min) <= decided.generation { earlyPlacements[decided.jobID] = decided }
            return []
        }
        if job.phase == .running { return replaceParticipants(of: &job, with: decided, now: now) }
        guard job.phase == .waiting, decided.sufficient else { return [] }
        job.participants = decided.participants
        let initial = job.startingModel
        job.initialModel = nil  // the job's model from now on
        job.phase = .running
        job.model = initial
        job.version = 0
        let model = GlobalModelPublished(jobID: job.job.id, version: 0, parameters: initial, strategy: job.strategy.name)
        let started: RoundStarted
        do {
            started = try startRound(1, of: &job, participants: decided.participants, base: model, now: now)
        } catch {
            let failed = job.fail(reason: "AggregationFailed", message: "\(error)", previous: .waiting)  // Running was never published
            jobs[decided.jobID] = job
            return [failed]
        }
        jobs[decided.jobID] = job
        return [
            .publishPhase(JobPhaseChanged(jobID: job.job.id, phase: .running, previous: .waiting, reason: "PlacementSatisfied", message: [decided.message, job.job.trainerStandIn].compactMap { $0 }.joined(separator: "; "))),
            .publishModel(EncodedModel(model)),
            .publishRoundStarted(started),
        ]
    }

    /// Placement changed a running job's clusters: newcomers join from the next round; clusters
    /// that left are no longer waited for in this one; too few left fails the job.
    private mutating func replaceParticipants(of job: inout AggregatedJob, with decided: PlacementDecided, now: Date) -> [AggregatorAction] {
        defer { jobs[decided.jobID] = job }
        let minimum = job.job.spec.server.minAvailableClients
        guard decided.participants.count >= minimum else {
            return [job.fail(
                reason: "InsufficientClusters",
                message: "expected \(minimum), only \(decided.participants.count) after placement changed (generation \(decided.generation))"
            )]
        }
        job.participants = decided.participants
        guard var round = job.round else { return [] }
        let staying = Set(decided.participants.map(\.cluster))
        for leaving in round.participants where !staying.contains(leaving.cluster) && !round.answered.contains(leaving.cluster) {
            var departure = decided.decision.departure(of: leaving.cluster)
            departure.reason = "left at placement generation \(decided.generation): \(departure.reason)"
            round.departed.append(departure)
        }
        round.participants.removeAll { !staying.contains($0.cluster) }
        var actions: [AggregatorAction] = []
        let newcomers = decided.participants.filter { !round.selected.contains($0.cluster) }
        if round.askedForMoreClients && !newcomers.isEmpty {
            // Replacements join the round that asked for them, announced again to everyone.
            round.participants += newcomers
            round.selected.formUnion(newcomers.map(\.cluster))
            round.announced += newcomers
            actions.append(.reannounceRound(RoundStarted(
                jobID: job.job.id, round: round.number, participants: round.announced, baseVersion: job.version,
                baseModelSHA256: round.baseModelSHA256, architecture: job.architecture, training: job.training, deadline: round.deadline,
                trainer: job.job.ownTrainer, evaluateEvery: job.job.evaluateEvery
            ), placementGeneration: decided.generation))
        }
        job.round = round
        return actions + (round.isComplete && !round.contributions.isEmpty ? completeRound(&job, now: now) : [])
    }

    /// Validates an update and folds it into the round; the last expected update ends the round.
    ///
    /// The job and its round are taken out of their containers while the update is folded, so
    /// the running sum has one owner and is updated in place (a shared one would be rewritten
    /// into new arrays: another model's worth of memory per fold).
    public mutating func updateSubmitted(_ update: ModelUpdateSubmitted, eventID: String, now: Date = Date(timeIntervalSince1970: 0)) -> [AggregatorAction] {
        func reject(_ reason: String) -> [AggregatorAction] {
            [.publishRejection(ModelUpdateRejected(jobID: update.jobID, round: update.round, cluster: update.cluster, updateEventID: eventID, reason: reason))]
        }
        guard var job = jobs.removeValue(forKey: update.jobID) else { return reject("unknown job '\(update.jobID)'") }
        defer { jobs[update.jobID] = job }
        guard job.phase == .running, var round = job.round.take() else { return reject("job '\(update.jobID)' is \(job.phase.rawValue), not running") }
        if let late = job.lastClosed, update.round == late.number, late.participants.contains(update.cluster), !late.answered.contains(update.cluster) {
            job.round = consume round
            return lateUpdate(update, eventID: eventID, job: &job, now: now)
        }
        let problem = Self.fold(update, eventID: eventID, into: &round, architecture: job.builtInArchitecture)
        let isComplete = round.isComplete
        job.round = consume round
        if let problem { return reject(problem) }
        return isComplete ? completeRound(&job, now: now) : []
    }

    /// Checks an update against the open round and folds it in; returns why it was refused.
    /// `architecture`: the built-in model updates must match (nil: the job brought its own model).
    static func fold(_ update: ModelUpdateSubmitted, eventID: String, into round: inout RoundState, architecture: ModelArchitecture?) -> String? {
        guard update.round == round.number else { return "update is for round \(update.round), the current round is \(round.number)" }
        guard round.accepts(update.cluster) else {
            return round.failed.contains(update.cluster)
                ? "cluster '\(update.cluster)' reported it cannot take part in round \(round.number)"
                : "cluster '\(update.cluster)' was not selected for round \(round.number)"
        }
        guard !round.answered.contains(update.cluster) else { return "duplicate update from '\(update.cluster)' for round \(round.number)" }
        guard update.baseModelSHA256 == round.baseModelSHA256 else { return "update was trained from model \(update.baseModelSHA256.prefix(12)), not this round's base" }
        // Bounded so a round's total (one per participant) fits Int and the projection's integer column.
        guard (1...Int(Int32.max)).contains(update.examples) else { return "example count must be in 1...\(Int32.max), got \(update.examples)" }
        guard update.loss.isFinite else { return "training loss is not finite" }
        do {
            try architecture?.validate(update.parameters)
            try round.accumulator.add(update)
        } catch {
            return "\(error)"
        }
        round.contributions.append(Contribution(cluster: update.cluster, examples: update.examples, loss: update.loss, updateEventID: eventID))
        return nil
    }

    func startRound(_ number: Int, of job: inout AggregatedJob, participants: [Participant], base: GlobalModelPublished, now: Date) throws(RoundAggregationError) -> RoundStarted {
        let aggregator = try roundAggregator(for: job, global: base.parameters)
        let deadline = job.policy.roundDeadlineSeconds.map { now.addingTimeInterval(TimeInterval($0)) }
        job.round = RoundState(
            number: number, participants: participants, selected: Set(participants.map(\.cluster)), announced: participants, baseModelSHA256: base.sha256,
            accumulator: aggregator, deadline: deadline
        )
        return RoundStarted(
            jobID: job.job.id, round: number, participants: participants, baseVersion: base.version,
            baseModelSHA256: base.sha256, architecture: job.architecture, training: job.training, deadline: deadline,
            trainer: job.job.ownTrainer, evaluateEvery: job.job.evaluateEvery
        )
    }

    ///
    /// Memory: the running sum becomes the new model in place, the round's global model is
    /// released as soon as the new one exists, and the new model is encoded once, for both its
    /// file and its event.
    func completeRound(_ job: inout AggregatedJob, now: Date) -> [AggregatorAction] {
        // Taken out of the job: the round's sum then has one owner, and the mean is computed in it.
        guard var round = job.round.take() else { return [] }
        let missing = round.participants.map(\.cluster).filter { !round.answered.contains($0) } + round.failed
        job.lastClosed = ClosedRound(number: round.number, participants: Set(round.participants.map(\.cluster)), answered: round.answered)
        let id = job.job.id
        let averaged: ModelParameters
        do {
            (averaged, job.optimizerState) = try round.accumulator.finishInPlace()
        } catch {
            return [job.fail(reason: "AggregationFailed", message: "round \(round.number): \(error)")]
        }
        job.model = averaged
        job.version = round.number
        let totalExamples = round.contributions.reduce(0) { $0 + $1.examples }
        let meanLoss = round.contributions.reduce(0.0) { $0 + $1.loss * Double($1.examples) } / Double(max(totalExamples, 1))
        let path = job.modelPath(round: round.number)
        let strategy = job.strategy.name
        let model = EncodedModel(GlobalModelPublished(jobID: id, version: round.number, parameters: averaged, strategy: strategy))
        let sha = ModelDigest.sha256(model.bytes)
        let manifest = ModelManifest(job: id, round: round.number, sha256: sha, strategy: strategy, contributors: round.contributions, parameterCount: averaged.parameterCount)
        var actions: [AggregatorAction] = [
            .storeModel(StoredModel(jobID: id, round: round.number, path: path, bytes: model.bytes, manifest: manifest)),
            .publishModel(model),
            .publishRoundCompleted(RoundCompleted(
                jobID: id, round: round.number, contributions: round.contributions, strategy: strategy, modelVersion: round.number,
                modelSHA256: sha, modelPath: path, meanLoss: meanLoss, totalExamples: totalExamples, missing: missing, departed: round.departed
            )),
        ]
        if round.number >= job.job.spec.server.rounds {
            job.phase = .completed
            job.round = nil
            actions.append(.publishPhase(JobPhaseChanged(
                jobID: id, phase: .completed, previous: .running, reason: "AllRoundsCompleted",
                message: CompletionMessage.allRoundsCompleted(round.number, finalModel: path)
            )))
        } else {
            do {
                actions.append(.publishRoundStarted(try startRound(round.number + 1, of: &job, participants: job.participants, base: model.event, now: now)))
            } catch {
                actions.append(job.fail(reason: "AggregationFailed", message: "round \(round.number + 1): \(error)"))
            }
        }
        return actions
    }

    /// The bytes of round `round`'s model file: what `RoundCompleted.modelSHA256` is the hash of,
    /// and the data of the round's `GlobalModelPublished` event.
    static func modelFile(_ model: ModelParameters, jobID: String, round: Int, strategy: String) -> [UInt8] {
        EncodedModel(GlobalModelPublished(jobID: jobID, version: round, parameters: model, strategy: strategy)).bytes
    }
}
