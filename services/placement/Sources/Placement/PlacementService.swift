import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes jobs and cluster facts, publishes placement decisions on `flotilla.placements`.
///
/// At every start it rebuilds its state from the log (jobs, the fleet and its own decisions),
/// publishing nothing meanwhile, re-decides every live job once, and continues live just past
/// where the replay ended: a restart forgets neither the fleet nor the jobs.
public struct PlacementService: Service {
    let configuration: HubConfiguration
    /// The broker connection `run()` consumes and replays with (nil: handling only, in process).
    let publisher: EventPublisher?
    /// Where decisions are published: the broker, or its in-memory twin.
    let sink: any EventSink
    let logger: Logger
    let state = PlacementState()

    public init(configuration: HubConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.sink = publisher
        self.logger = logger
    }

    /// The service's handling over an in-memory sink, for in-process tests (`run()` needs a broker).
    init(configuration: HubConfiguration, sink: any EventSink, logger: Logger) {
        self.configuration = configuration
        self.publisher = nil
        self.sink = sink
        self.logger = logger
    }

    /// The timer that shares this service's state; run it in the same ServiceGroup.
    public var ticker: PlacementTicker { PlacementTicker(state: state, sink: sink, logger: logger) }

    public func run() async throws {
        guard let publisher else { throw HandlingOnly() }
        let source = EventSource(service: "placement", configuration: configuration, publisher: publisher, logger: logger)
        let rebuild = ConsumerStart.replaying([.jobs, .clusters, .placements], into: { event in await restore(event) }) {
            let decisions = await state.finishRestore()
            logger.info("state rebuilt from the log", metadata: ["changedDecisions": "\(decisions.count)"])
            try await publish(decisions)
        }
        try await source.consume([.jobs, .clusters], from: rebuild) { event in
            try await handle(event)
        }
    }

    /// Applies one event read back at start; nothing is decided or published. Events that
    /// cannot be read were dead-lettered when first consumed and are skipped.
    func restore(_ event: ConsumedEvent) async {
        let time = event.envelope.time
        switch event.envelope.type {
        case .jobSubmitted:
            do {
                let submitted = try event.submittedJob()
                await state.apply { $0.restore(submitted, at: time) }
            } catch let refused as PermanentEventError {
                // Put on the topic past the door while placement was down: never placed, and said
                // so (again after each restart, as the replay reads it again).
                try? await publisher?.deadLetter(event.message, reason: refused.reason, service: "placement")
            } catch {}
        case .jobPhaseChanged: if let change = try? event.payload(JobPhaseChanged.self) { await state.apply { $0.phaseChanged(change) } }
        case .moreClientsRequested: if let request = try? event.payload(MoreClientsRequested.self) { await state.apply { $0.restore(request) } }
        case .clusterRegistered: if let fact = try? event.payload(ClusterRegistered.self) { await state.apply { $0.restore(fact.cluster) } }
        case .clusterDeregistered: if let fact = try? event.payload(ClusterDeregistered.self) { await state.apply { $0.restoreRemoval(of: fact.cluster) } }
        case .placementDecided: if let decided = try? event.payload(PlacementDecided.self) { await state.apply { $0.restore(decided) } }
        default: return
        }
    }

    private func publish(_ decisions: [PlacementDecided]) async throws {
        for decided in decisions {
            logger.info("placement decided", metadata: ["job": "\(decided.jobID)", "generation": "\(decided.generation)", "message": "\(decided.message)"])
            try await sink.publish(decided)
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        let decisions: [PlacementDecided]
        switch event.envelope.type {
        case .jobSubmitted: decisions = await state.jobSubmitted(try event.submittedJob())
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
        try await publish(decisions)
    }
}

/// Placement's clock: once a second, re-evaluates jobs whose toleration ran out and fails
/// jobs whose wait timeout passed.
public struct PlacementTicker: Service {
    let state: PlacementState
    let sink: any EventSink
    let logger: Logger
    var interval: Duration = .seconds(1)

    public func run() async throws {
        try await periodically(every: interval) {
            for output in await state.timePassed() {
                switch output {
                case .decided(let decided):
                    logger.info("placement re-decided", metadata: ["job": "\(decided.jobID)", "message": "\(decided.message)"])
                    try await sink.publish(decided)
                case .timedOut(let failure):
                    logger.warning("job failed: placement timed out", metadata: ["job": "\(failure.jobID)", "message": "\(failure.message)"])
                    try await sink.publish(failure)
                }
            }
        }
    }
}

actor PlacementState {
    private var coordinator = PlacementCoordinator()
    /// False while the state is rebuilt from the log: the clock must not act on half a state.
    private var restored = false

    func timePassed() -> [PlacementCoordinator.Output] { restored ? coordinator.timePassed(now: Date()) : [] }

    func apply(_ restore: (inout PlacementCoordinator) -> Void) { restore(&coordinator) }

    func finishRestore() -> [PlacementDecided] {
        restored = true
        return coordinator.finishRestore(now: Date())
    }

    func jobSubmitted(_ submitted: JobSubmitted) -> [PlacementDecided] { coordinator.jobSubmitted(submitted, now: Date()) }
    func phaseChanged(_ change: JobPhaseChanged) { coordinator.phaseChanged(change) }
    func clusterChanged(_ cluster: ManagedCluster) -> [PlacementDecided] { coordinator.clusterChanged(cluster, now: Date()) }
    func clusterRemoved(_ name: String) -> [PlacementDecided] { coordinator.clusterRemoved(name, now: Date()) }
    func moreClientsRequested(_ request: MoreClientsRequested) -> [PlacementDecided] { coordinator.moreClientsRequested(request, now: Date()) }
}

/// `run()` of a service built for in-process handling: there is no broker to consume.
struct HandlingOnly: Error, CustomStringConvertible {
    var description: String { "this placement service was built for in-process handling; it has no broker to run on" }
}
