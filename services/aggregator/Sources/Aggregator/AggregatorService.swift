import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes jobs, placement decisions and model updates; runs the rounds; publishes global
/// models on `flotilla.rounds` and writes them under the job's storage path.
public struct AggregatorService: Service {
    let configuration: AggregatorConfiguration
    let publisher: EventPublisher
    let logger: Logger
    let state = AggregatorState()

    public init(configuration: AggregatorConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
    }

    /// The aggregator's clock: closes rounds at their deadline. Run it in the same ServiceGroup.
    public var deadlines: RoundDeadlineTicker { RoundDeadlineTicker(service: self) }

    public func run() async throws {
        let hooks = EventProcessor.Hooks(transferBroken: { broken in
            // A model update with a piece missing or corrupt is rejected with the reason.
            guard broken.envelope.type == .modelUpdateSubmitted else { return }
            try await publisher.publish(ModelUpdateRejected(
                jobID: broken.envelope.subject, round: nil, cluster: nil, updateEventID: broken.envelope.chunk?.transferID ?? broken.envelope.id, reason: broken.reason
            ))
        })
        try await EventProcessor.consume([.jobs, .placements, .updates], as: "aggregator", configuration: configuration.hub, publisher: publisher, logger: logger, hooks: hooks) { event in
            try await handle(event)
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        let actions: [AggregatorAction]
        switch event.envelope.type {
        case .jobSubmitted:
            let submitted = try event.payload(JobSubmitted.self)
            actions = await state.apply { $0.jobSubmitted(submitted) }
        case .jobPhaseChanged:
            let change = try event.payload(JobPhaseChanged.self)
            actions = await state.apply { $0.phaseChanged(change); return [] }
        case .placementDecided:
            let decided = try event.payload(PlacementDecided.self)
            actions = await state.apply { $0.placementDecided(decided, now: Date()) }
        case .modelUpdateSubmitted:
            let id = event.envelope.id
            do {
                let update = try event.model(ModelUpdateSubmitted.self)
                actions = await state.apply { $0.updateSubmitted(update, eventID: id, now: Date()) }
            } catch {
                // An unreadable update is rejected with its reason (and still dead-lettered).
                try await publisher.publish(ModelUpdateRejected(jobID: event.envelope.subject, round: nil, cluster: nil, updateEventID: id, reason: error.reason))
                throw error
            }
        case .roundParticipationFailed:
            let failure = try event.payload(RoundParticipationFailed.self)
            logger.warning("participant failed", metadata: ["job": "\(failure.jobID)", "round": "\(failure.round)", "cluster": "\(failure.cluster)", "reason": "\(failure.reason)"])
            actions = await state.apply { $0.participationFailed(failure, now: Date()) }
        default: actions = []
        }
        try await perform(actions)
    }

    func perform(_ actions: [AggregatorAction]) async throws {
        let store = ModelStore(root: configuration.modelRoot)
        for action in actions {
            switch action {
            case .publishPhase(let change):
                logger.info("job \(change.phase.rawValue)", metadata: ["job": "\(change.jobID)", "reason": "\(change.reason)"])
                try await publisher.publish(change)
            case .publishModel(let model): try await publisher.publish(model)
            case .publishRoundStarted(let started):
                logger.info("round started", metadata: ["job": "\(started.jobID)", "round": "\(started.round)", "participants": "\(started.participants.count)"])
                try await publisher.publish(started)
            case .storeModel(let model): try store.store(model)
            case .publishRoundCompleted(let completed):
                logger.info("round completed", metadata: ["job": "\(completed.jobID)", "round": "\(completed.round)", "loss": "\(completed.meanLoss)"])
                try await publisher.publish(completed)
            case .publishDeadlineExtended(let extended):
                logger.warning("round deadline extended", metadata: ["job": "\(extended.jobID)", "round": "\(extended.round)", "answered": "\(extended.answered)"])
                try await publisher.publish(extended)
            case .publishRejection(let rejection):
                logger.warning("update rejected", metadata: ["job": "\(rejection.jobID)", "cluster": "\(rejection.cluster ?? "?")", "reason": "\(rejection.reason)"])
                try await publisher.publish(rejection)
            }
        }
    }
}

actor AggregatorState {
    private var coordinator = AggregationCoordinator()

    func apply(_ body: (inout AggregationCoordinator) -> [AggregatorAction]) -> [AggregatorAction] {
        body(&coordinator)
    }
}

/// Once a second, applies the round policy to rounds whose deadline passed.
public struct RoundDeadlineTicker: Service {
    let service: AggregatorService

    public func run() async throws {
        try await periodically(every: .seconds(1)) {
            try await service.perform(await service.state.apply { $0.timePassed(now: Date()) })
        }
    }
}
