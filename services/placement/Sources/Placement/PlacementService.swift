import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes jobs and cluster facts, publishes placement decisions on `flotilla.placements`.
public struct PlacementService: Service {
    let configuration: HubConfiguration
    let publisher: EventPublisher
    let logger: Logger
    let state = PlacementState()

    public init(configuration: HubConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
    }

    /// The timer that shares this service's state; run it in the same ServiceGroup.
    public var ticker: PlacementTicker { PlacementTicker(state: state, publisher: publisher, logger: logger) }

    public func run() async throws {
        let source = EventSource(service: "placement", configuration: configuration, publisher: publisher, logger: logger)
        try await source.consume([.jobs, .clusters], from: .committed) { event in
            try await handle(event)
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        let decisions: [PlacementDecided]
        switch event.envelope.type {
        case .jobSubmitted: decisions = await state.jobSubmitted(try event.payload(JobSubmitted.self))
        case .jobPhaseChanged:
            await state.phaseChanged(try event.payload(JobPhaseChanged.self))
            decisions = []
        case .clusterRegistered: decisions = await state.clusterChanged(try event.payload(ClusterRegistered.self).cluster)
        case .clusterDeregistered: decisions = await state.clusterRemoved(try event.payload(ClusterDeregistered.self).cluster)
        case .moreClientsRequested:
            let request = try event.payload(MoreClientsRequested.self)
            logger.info("more clients requested", metadata: ["job": "\(request.jobID)", "round": "\(request.round)", "unresponsive": "\(request.unresponsive)"])
            decisions = await state.moreClientsRequested(request)
        default: decisions = []
        }
        for decided in decisions {
            logger.info("placement decided", metadata: ["job": "\(decided.jobID)", "generation": "\(decided.generation)", "message": "\(decided.message)"])
            try await publisher.publish(decided)
        }
    }
}

/// Placement's clock: once a second, re-evaluates jobs whose toleration ran out and fails
/// jobs whose wait timeout passed.
public struct PlacementTicker: Service {
    let state: PlacementState
    let publisher: EventPublisher
    let logger: Logger
    var interval: Duration = .seconds(1)

    public func run() async throws {
        try await periodically(every: interval) {
            for output in await state.timePassed() {
                switch output {
                case .decided(let decided):
                    logger.info("placement re-decided", metadata: ["job": "\(decided.jobID)", "message": "\(decided.message)"])
                    try await publisher.publish(decided)
                case .timedOut(let failure):
                    logger.warning("job failed: placement timed out", metadata: ["job": "\(failure.jobID)", "message": "\(failure.message)"])
                    try await publisher.publish(failure)
                }
            }
        }
    }
}

actor PlacementState {
    func timePassed() -> [PlacementCoordinator.Output] { coordinator.timePassed(now: Date()) }

    private var coordinator = PlacementCoordinator()

    func jobSubmitted(_ submitted: JobSubmitted) -> [PlacementDecided] { coordinator.jobSubmitted(submitted, now: Date()) }
    func phaseChanged(_ change: JobPhaseChanged) { coordinator.phaseChanged(change) }
    func clusterChanged(_ cluster: ManagedCluster) -> [PlacementDecided] { coordinator.clusterChanged(cluster, now: Date()) }
    func clusterRemoved(_ name: String) -> [PlacementDecided] { coordinator.clusterRemoved(name, now: Date()) }
    func moreClientsRequested(_ request: MoreClientsRequested) -> [PlacementDecided] { coordinator.moreClientsRequested(request, now: Date()) }
}
