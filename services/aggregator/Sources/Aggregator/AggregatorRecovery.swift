import Foundation
import Learning
import Shared

/// Rebuilds the aggregator's state from the event log when it starts, after a clean stop or a
/// SIGKILL alike. Feed it, in this order, every event of `flotilla.jobs`, `flotilla.placements`
/// and `flotilla.rounds` (the aggregator's own decisions: who was asked, deadlines, and which
/// updates each round folded, in order), call ``beginUpdates()``, then feed `flotilla.updates`.
///
/// - Completed rounds of running jobs are re-aggregated from the updates their
///   `RoundCompleted` lists (see ``RoundRebuild``); each must reproduce the logged sha256.
/// - The open round then replays the later updates and participation failures through the
///   ordinary rules, in log order, so it accepts exactly what it had accepted before.
/// - ``finish()`` returns the coordinator and what is left to do: a round whose last update
///   arrived before the crash completes now, a round that was never announced starts, and
///   decisions already in the log are published again under the same derived ids (which
///   consumers deduplicate).
public struct AggregatorRecovery: Sendable {
    struct Submission: Sendable {
        var job: FederatedLearningJob
        var eventID: String
    }

    struct RoundRecord: Sendable {
        var started: RoundStarted?
        var extended: RoundDeadlineExtended?
        var completed: RoundCompleted?
    }

    let now: Date
    private var submissions: [String: Submission] = [:]
    private var order: [String] = []
    private var phases: [String: JobPhase] = [:]
    private var placements: [String: PlacementDecided] = [:]
    private var records: [String: [Int: RoundRecord]] = [:]
    private var rebuilds: [String: RoundRebuild] = [:]
    private var rejected: Set<String> = []
    private var coordinator: AggregationCoordinator
    private var actions: [AggregatorAction] = []
    /// Rebuilt rounds' files, to restore as soon as they are rebuilt (``takeRestores()``).
    private var restores: [StoredModel] = []
    /// Jobs the replay refused, with the reason, for the service to dead-letter.
    public private(set) var refusedJobs: [(message: KafkaConsumerMessage, reason: String)] = []
    /// Figures for the log line: jobs by phase, rounds re-aggregated, updates replayed.
    public private(set) var summary = Summary()

    public struct Summary: Sendable, Hashable {
        public var running = 0
        public var roundsRebuilt = 0
        public var openRoundUpdates = 0
        public var failed: [String] = []
    }

    /// Where models are written; jobs whose directory lies outside it are not rebuilt.
    let modelRoot: String?

    public init(now: Date, pendingUpdateBytes: Int = AggregationCoordinator.defaultPendingUpdateBytes, modelRoot: String? = nil) {
        self.now = now
        self.modelRoot = modelRoot
        coordinator = AggregationCoordinator(pendingUpdateBytes: pendingUpdateBytes)
    }

    /// Applies one replayed event. Events that cannot be decoded or admitted were dead-lettered
    /// when first consumed and are skipped.
    public mutating func apply(_ event: ConsumedEvent) {
        let envelope = event.envelope
        switch envelope.type {
        case .jobSubmitted:
            guard let submitted = try? event.payload(JobSubmitted.self), submissions[submitted.job.id] == nil else { return }
            // Refused again, not rebuilt; reported, since the replay may be its first reading.
            if let problem = submitted.admissionProblem(modelRoot: modelRoot) {
                refusedJobs.append((event.message, problem))
                return
            }
            submissions[submitted.job.id] = Submission(job: submitted.job, eventID: envelope.id)
            order.append(submitted.job.id)
        case .jobPhaseChanged:
            guard let change = try? event.payload(JobPhaseChanged.self) else { return }
            let current = phases[change.jobID] ?? .waiting
            if current.canMove(to: change.phase) { phases[change.jobID] = change.phase }
        case .placementDecided:
            guard let decided = try? event.payload(PlacementDecided.self) else { return }
            if decided.generation >= (placements[decided.jobID]?.generation ?? Int.min) { placements[decided.jobID] = decided }
        case .roundStarted:
            guard let started = try? event.payload(RoundStarted.self) else { return }
            records[started.jobID, default: [:]][started.round, default: RoundRecord()].started = started
        case .roundDeadlineExtended:
            guard let extended = try? event.payload(RoundDeadlineExtended.self) else { return }
            records[extended.jobID, default: [:]][extended.round, default: RoundRecord()].extended = extended
        case .roundCompleted:
            guard let completed = try? event.payload(RoundCompleted.self) else { return }
            records[completed.jobID, default: [:]][completed.round, default: RoundRecord()].completed = completed
        case .modelUpdateSubmitted:
            guard let update = try? event.model(ModelUpdateSubmitted.self) else { return }
            updateSubmitted(update, eventID: envelope.id)
        case .roundParticipationFailed:
            guard let failure = try? event.payload(RoundParticipationFailed.self) else { return }
            if rebuilds[failure.jobID] == nil { actions += coordinator.participationFailed(failure, now: now) }
        case .modelUpdateRejected:
            if let rejection = try? event.payload(ModelUpdateRejected.self) { rejected.insert(rejection.updateEventID) }
        default:
            return
        }
    }

    /// The files of rounds rebuilt so far, for the caller to restore before reading on (so
    /// the replay holds at most the files one event completes). `finish()` returns any left.
    public mutating func takeRestores() -> [StoredModel] {
        defer { restores = [] }
        return restores
    }

    /// The jobs still to run or running that start from an uploaded model: whose models
    /// ``beginUpdates(initialModels:)`` needs.
    public var jobsNeedingInitialModels: [FederatedLearningJob] {
        order.compactMap { submissions[$0]?.job }.filter { $0.spec.server.initialModel != nil && !(phases[$0.id] ?? .waiting).isTerminal }
    }

    /// Call between the round events and the updates: sets every job up, and starts
    /// re-aggregating the completed rounds of running jobs. `initialModels`: for each of
    /// ``jobsNeedingInitialModels``, its model or why it cannot be used.
    public mutating func beginUpdates(initialModels: [String: Result<ModelParameters, InitialModelError>] = [:]) {
        for id in order {
            guard let submission = submissions[id] else { continue }
            var job = AggregatedJob(job: submission.job, submissionID: submission.eventID)
            job.phase = phases[id] ?? .waiting
            switch initialModels[id] {
            case .success(let model): job.initialModel = model
            case .failure(let refusal) where !job.phase.isTerminal:
                coordinator.jobs[id] = job
                actions += coordinator.initialModelRefused(jobID: id, reason: refusal.reason)
                continue
            default: break
            }
            guard job.phase == .running else {
                coordinator.jobs[id] = job
                continue
            }
            summary.running += 1
            let rounds = records[id] ?? [:]
            let completed = rounds.keys.sorted().compactMap { rounds[$0]?.completed }
            let rebuild = RoundRebuild(
                job: job, completed: completed, started: rounds.compactMapValues(\.started), pendingUpdateBytes: coordinator.pendingUpdateBytes
            )
            if rebuild.isDone { install(rebuild) } else { rebuilds[id] = rebuild }
        }
    }

    private mutating func updateSubmitted(_ update: ModelUpdateSubmitted, eventID: String) {
        // Taken out while it folds, so its running sum has one owner and is updated in place.
        if var rebuild = rebuilds.removeValue(forKey: update.jobID) {
            rebuild.add(update, eventID: eventID)
            restores += rebuild.takeModels()
            if rebuild.isDone { install(rebuild) } else { rebuilds[update.jobID] = rebuild }
            return
        }
        summary.openRoundUpdates += 1
        actions += coordinator.updateSubmitted(update, eventID: eventID, now: now)
    }

    /// The job's completed rounds are rebuilt: restore their files, then open the round that
    /// was running (if any) exactly as it was announced.
    private mutating func install(_ rebuild: consuming RoundRebuild) {
        summary.roundsRebuilt += rebuild.roundsRebuilt
        restores += rebuild.takeModels()
        var job = rebuild.job
        let id = job.job.id
        if let failure = rebuild.failure { return fail(&job, reason: failure) }
        let record = records[id]?[job.version + 1]
        if let open = record?.started {
            let base = GlobalModelPublished(jobID: id, version: job.version, parameters: job.model ?? ModelParameters(tensors: []))
            guard base.sha256 == open.baseModelSHA256 else {
                return fail(&job, reason: "round \(open.round) was announced on model \(open.baseModelSHA256.prefix(12)), the log re-aggregates to \(base.sha256.prefix(12))")
            }
            do {
                var round = RoundState(
                    number: open.round, participants: open.participants, selected: Set(open.participants.map(\.cluster)), announced: open.participants,
                    baseModelSHA256: open.baseModelSHA256,
                    accumulator: try coordinator.roundAggregator(for: job, global: base.parameters),
                    deadline: record?.extended?.newDeadline ?? open.deadline
                )
                round.extended = record?.extended != nil
                round.askedForMoreClients = round.extended && job.policy.onQuorumMissed == .askForMoreClients
                job.round = round
            } catch {
                return fail(&job, reason: "round \(open.round): \(error)")
            }
        }
        job.participants = record?.started?.participants ?? records[id]?[job.version]?.started?.participants ?? []
        coordinator.jobs[id] = job
    }

    private mutating func fail(_ job: inout AggregatedJob, reason: String) {
        summary.failed.append(job.job.id)
        actions.append(job.fail(reason: "RecoveryFailed", message: reason))
        coordinator.jobs[job.job.id] = job
    }

    /// The rebuilt coordinator and what is left to do, in order.
    public mutating func finish() -> (AggregationCoordinator, [AggregatorAction]) {
        for id in rebuilds.keys.sorted() {
            guard var job = rebuilds[id]?.job, let missing = rebuilds[id]?.missing else { continue }
            fail(&job, reason: missing)
        }
        rebuilds = [:]
        // A decision whose job is past the replay's end (jobs and placements are separate topics).
        for (id, decided) in placements where submissions[id] == nil { coordinator.earlyPlacements[id] = decided }
        for id in order {
            if let decided = placements[id] { actions += coordinator.placementDecided(decided, now: now) }
            actions += coordinator.resume(id, now: now)
        }
        // A rejection already in the log is not published again.
        let pending = actions.filter { action in
            if case .publishRejection(let rejection) = action { return !rejected.contains(rejection.updateEventID) }
            return true
        }
        actions = []
        return (coordinator, takeRestores().map { .restoreModel($0) } + pending)
    }
}
