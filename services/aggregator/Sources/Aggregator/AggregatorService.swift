import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes jobs, placement decisions and model updates; runs the rounds; publishes global
/// models on `flotilla.rounds` and writes them under the job's storage path.
///
/// It keeps no state outside the log: at every start it rebuilds the rounds in progress from
/// the log (``AggregatorRecovery``) and continues live exactly where the replay ended, so a
/// SIGKILL at any moment loses nothing and counts nothing twice.
public struct AggregatorService: Service {
    let configuration: AggregatorConfiguration
    /// The broker connection that `run()` consumes and replays with (nil: handling only, as in
    /// in-process tests).
    let publisher: EventPublisher?
    /// Where decisions are published, model files kept and initial models read: the broker,
    /// the model root and `flotilla.blobs`, or their in-memory twins.
    let sink: any EventSink
    let files: any ModelFiles
    let initialModels: InitialModels
    let logger: Logger
    let state = AggregatorState()

    public init(configuration: AggregatorConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.sink = publisher
        self.files = ModelStore(root: configuration.modelRoot)
        self.initialModels = InitialModels(
            blobs: BlobFetch(configuration: configuration.hub, producer: publisher.producer, service: "aggregator-models", logger: logger)
        )
        self.logger = logger
    }

    /// The service's handling over in-memory twins, for in-process tests (`run()` needs a broker).
    init(configuration: AggregatorConfiguration, sink: any EventSink, files: any ModelFiles, blobs: any BlobSource, logger: Logger) {
        self.configuration = configuration
        self.publisher = nil
        self.sink = sink
        self.files = files
        self.initialModels = InitialModels(blobs: blobs)
        self.logger = logger
    }

    /// The aggregator's clock: closes rounds at their deadline. Run it in the same ServiceGroup.
    public var deadlines: RoundDeadlineTicker { RoundDeadlineTicker(service: self) }

    public func run() async throws {
        guard let publisher else { throw NotWired() }
        let hooks = EventProcessor.Hooks(models: .decode, transferBroken: { broken in
            // A model update with a piece missing or corrupt is rejected with the reason.
            guard broken.envelope.type == .modelUpdateSubmitted else { return }
            try await publish(.publishRejection(ModelUpdateRejected(
                jobID: broken.envelope.subject, round: nil, cluster: nil, updateEventID: broken.envelope.chunk?.transferID ?? broken.envelope.id, reason: broken.reason
            )))
        })
        let source = EventSource(service: "aggregator", configuration: configuration.hub, publisher: publisher, logger: logger)
        // Live: jobs, placements and updates, each just past where the recovery's replay ended.
        try await source.consume([.jobs, .placements, .updates], from: .replay { try await recover(with: $0) }, hooks: hooks) { event in
            try await handle(event)
        }
    }

    /// Replays the log into a fresh state, performs what was left undone, and returns where
    /// the replay ended on each partition.
    func recover(with replay: TopicReplay) async throws -> [KafkaTopicPartitionOffset] {
        guard let publisher else { throw NotWired() }
        let started = ContinuousClock.now
        var recovery = AggregatorRecovery(now: Date(), pendingUpdateBytes: configuration.pendingUpdateBytes, modelRoot: configuration.modelRoot)
        // Jobs, placements and the aggregator's own round decisions fill separate tables, so
        // their interleaving does not matter. Global models are not needed: completed rounds
        // are re-aggregated from their updates.
        var positions = try await replay.replay([.jobs, .placements, .rounds], skipChunked: true) { event in
            guard event.topic != .rounds || event.envelope.type != .globalModelPublished else { return }
            recovery.apply(event)
        }
        recovery.beginUpdates(initialModels: try await initialModels.load(for: recovery.jobsNeedingInitialModels))
        positions += try await replay.replay([.updates]) { event in
            recovery.apply(event)
            // Each rebuilt round's file is checked (and rewritten if torn) as soon as it exists.
            let restores = recovery.takeRestores().map { AggregatorAction.restoreModel($0) }
            if !restores.isEmpty { try await performDecided(restores) }
        }
        // A refused job met first by this replay (submitted while the aggregator was down) is
        // dead-lettered now; after a restart it is reported again under its original offset.
        for (message, reason) in recovery.refusedJobs {
            logger.warning("job refused", metadata: ["reason": "\(reason)"])
            try await publisher.deadLetter(message, reason: reason, service: "aggregator")
        }
        let (coordinator, actions) = recovery.finish()
        let summary = recovery.summary
        await state.install(coordinator)
        logger.info("state rebuilt from the log", metadata: [
            "runningJobs": "\(summary.running)", "roundsReaggregated": "\(summary.roundsRebuilt)", "openRoundUpdates": "\(summary.openRoundUpdates)",
            "failed": "\(summary.failed)", "actions": "\(actions.count)", "took": "\(ContinuousClock.now - started)",
        ])
        try await performDecided(actions)
        return positions
    }

    func handle(_ event: ConsumedEvent) async throws {
        let actions: [AggregatorAction]
        switch event.envelope.type {
        case .jobSubmitted:
            let submitted = try event.payload(JobSubmitted.self)
            if let problem = submitted.admissionProblem(modelRoot: configuration.modelRoot) {
                throw PermanentEventError(problem)  // dead-lettered with the reason; the job never runs
            }
            let id = event.envelope.id
            switch try await initialModels.load(for: [submitted.job])[submitted.job.id] {
            case .success(let model):
                actions = await state.apply { $0.jobSubmitted(submitted, eventID: id, initialModel: model, now: Date()) }
            case .failure(let refusal):
                actions = await state.apply { $0.jobSubmitted(submitted, eventID: id, now: Date()) + $0.initialModelRefused(jobID: submitted.job.id, reason: refusal.reason) }
            case nil:
                actions = await state.apply { $0.jobSubmitted(submitted, eventID: id, now: Date()) }
            }
        case .jobPhaseChanged:
            let change = try event.payload(JobPhaseChanged.self)
            actions = await state.apply { $0.phaseChanged(change); return [] }
        case .placementDecided:
            let decided = try event.payload(PlacementDecided.self)
            actions = await state.apply { $0.placementDecided(decided, now: Date()) }
        case .modelUpdateSubmitted:
            let id = event.envelope.id
            let update: ModelUpdateSubmitted
            do {
                update = try event.model(ModelUpdateSubmitted.self)
            } catch {
                // An unreadable update is rejected with its reason (and still dead-lettered).
                try await publish(.publishRejection(ModelUpdateRejected(jobID: event.envelope.subject, round: nil, cluster: nil, updateEventID: id, reason: error.reason)))
                throw error
            }
            let (folded, progress) = await state.applyWithProgress(of: update.jobID) { $0.updateSubmitted(update, eventID: id, now: Date()) }
            try await performDecided(folded)
            if let progress, progress.round == update.round {
                configuration.fault.crash(at: .updateFolded(round: progress.round, count: progress.folded))
            }
            return
        case .roundParticipationFailed:
            let failure = try event.payload(RoundParticipationFailed.self)
            logger.warning("participant failed", metadata: ["job": "\(failure.jobID)", "round": "\(failure.round)", "cluster": "\(failure.cluster)", "reason": "\(failure.reason)"])
            actions = await state.apply { $0.participationFailed(failure, now: Date()) }
        default: actions = []
        }
        try await performDecided(actions)
    }

    /// Performs what the state has already decided, retrying each action until it is done. The
    /// state cannot take a decision back, so failing the event (which the processor would hand
    /// over again) would apply it twice: an update would be refused as its own duplicate and
    /// its round never completed. Every action is idempotent (derived event ids, atomic files).
    /// Cancelled at shutdown, what is left is redone after the restart (see ``recover(with:)``).
    /// One exception: a model path the store refuses as outside the root fails the job instead.
    func performDecided(_ actions: [AggregatorAction]) async throws {
        var refusedJobs: Set<String> = []
        for action in actions {
            if let jobID = action.jobID, refusedJobs.contains(jobID) { continue }
            var backoff: Duration = .milliseconds(100)
            while true {
                do {
                    try await perform(action)
                    break
                } catch is CancellationError {
                    throw CancellationError()
                } catch let refusal as PathConfinementError where refusal.isViolation {
                    guard let jobID = action.storedJobID else { throw refusal }
                    logger.error("model path refused, failing the job", metadata: ["job": "\(jobID)", "reason": "\(refusal)"])
                    refusedJobs.insert(jobID)
                    try await performDecided(await state.apply { $0.storageRefused(jobID: jobID, reason: "\(refusal)") })
                    break
                } catch {
                    logger.error("could not carry out a decision, will retry", metadata: ["action": "\(action.label)", "error": "\(error)"])
                    try await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    private func perform(_ action: AggregatorAction) async throws {
        let store = files
        switch action {
        case .storeModel(let model):
            if configuration.fault.matches(.modelWriting(round: model.round)) {
                try store.writeTorn(model)
                FaultPlan.killNow()
            }
            try store.store(model)
        case .restoreModel(let model):
            if try store.restore(model) {
                logger.notice("model file rewritten from the log", metadata: ["job": "\(model.jobID)", "round": "\(model.round)", "path": "\(model.path)"])
            }
        case .publishPhase(let change):
            logger.info("job \(change.phase.rawValue)", metadata: ["job": "\(change.jobID)", "reason": "\(change.reason)"])
            try await publish(action)
        case .publishRoundStarted(let started):
            logger.info("round started", metadata: ["job": "\(started.jobID)", "round": "\(started.round)", "participants": "\(started.participants.count)"])
            try await publish(action)
            configuration.fault.crash(at: .roundStarted(round: started.round))
        case .publishRoundCompleted(let completed):
            logger.info("round completed", metadata: ["job": "\(completed.jobID)", "round": "\(completed.round)", "loss": "\(completed.meanLoss)"])
            try await publish(action)
        case .publishDeadlineExtended(let extended):
            logger.warning("round deadline extended", metadata: ["job": "\(extended.jobID)", "round": "\(extended.round)", "answered": "\(extended.answered)"])
            try await publish(action)
        case .publishRejection(let rejection):
            logger.warning("update rejected", metadata: ["job": "\(rejection.jobID)", "cluster": "\(rejection.cluster ?? "?")", "reason": "\(rejection.reason)"])
            try await publish(action)
        case .requestMoreClients(let request):
            logger.warning("asking placement for more clients", metadata: ["job": "\(request.jobID)", "round": "\(request.round)", "unresponsive": "\(request.unresponsive)"])
            try await publish(action)
        case .reannounceRound(let started, _):
            logger.info("round announced again with replacements", metadata: ["job": "\(started.jobID)", "round": "\(started.round)", "participants": "\(started.participants.map(\.cluster))"])
            try await publish(action)
        case .publishModel:
            try await publish(action)
        }
    }

    /// Publishes an action's event under an id derived from what it is (see ``EventIdentity``),
    /// so publishing it again after a restart is a duplicate consumers recognise.
    private func publish(_ action: AggregatorAction) async throws {
        guard let (jobID, name) = action.identity else { return }
        let id = EventIdentity.derived(namespace: await state.eventNamespace(of: jobID), name: name)
        switch action {
        case .publishPhase(let change): try await sink.publish(change, id: id)
        case .publishModel(let model): try await sink.publish(model, id: id)
        case .publishRoundStarted(let started): try await sink.publish(started, id: id)
        case .publishRoundCompleted(let completed): try await sink.publish(completed, id: id)
        case .publishDeadlineExtended(let extended): try await sink.publish(extended, id: id)
        case .publishRejection(let rejection): try await sink.publish(rejection, id: id)
        case .requestMoreClients(let request): try await sink.publish(request, id: id)
        case .reannounceRound(let started, _): try await sink.publish(started, id: id)
        case .storeModel, .restoreModel: return
        }
    }
}

/// `run()` of a service built over in-memory twins: there is no broker to consume.
struct NotWired: Error, CustomStringConvertible {
    var description: String { "this aggregator was built for in-process handling; it has no broker to run on" }
}

actor AggregatorState {
    private var coordinator = AggregationCoordinator()

    func install(_ rebuilt: AggregationCoordinator) { coordinator = rebuilt }

    func apply(_ body: (inout AggregationCoordinator) -> [AggregatorAction]) -> [AggregatorAction] {
        body(&coordinator)
    }

    /// Applies `body` and reports the job's open round afterwards (for fault points).
    func applyWithProgress(of jobID: String, _ body: (inout AggregationCoordinator) -> [AggregatorAction]) -> ([AggregatorAction], (round: Int, folded: Int)?) {
        let actions = body(&coordinator)
        return (actions, coordinator.progress(of: jobID))
    }

    func eventNamespace(of jobID: String) -> String { coordinator.eventNamespace(of: jobID) }
}

/// Once a second, applies the round policy to rounds whose deadline passed.
public struct RoundDeadlineTicker: Service {
    let service: AggregatorService

    public func run() async throws {
        try await periodically(every: .seconds(1)) {
            try await service.performDecided(await service.state.apply { $0.timePassed(now: Date()) })
        }
    }
}
