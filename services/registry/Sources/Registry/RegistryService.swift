import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes agents' commands from `flotilla.registrations` and publishes the resulting
/// facts on `flotilla.clusters`.
public struct RegistryService: Service {
    let configuration: HubConfiguration
    let publisher: EventPublisher
    let logger: Logger
    let state = RegistryState()

    public init(configuration: HubConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
    }

    /// The lease checker that shares this registry's state; run it in the same ServiceGroup.
    public func leaseMonitor(_ settings: LeaseSettings) -> LeaseMonitor {
        LeaseMonitor(state: state, publisher: publisher, settings: settings, logger: logger)
    }

    public func run() async throws {
        try await EventProcessor.consume([.registrations], as: "registry", configuration: configuration, publisher: publisher, logger: logger) { event in
            try await handle(event)
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        let outputs: [ClusterRegistry.Output]
        switch event.envelope.type {
        case .clusterRegistrationRequested: outputs = await state.register(try event.payload(ClusterRegistrationRequested.self))
        case .clusterHeartbeat: outputs = await state.heartbeat(try event.payload(ClusterHeartbeat.self))
        case .clusterDeregistrationRequested: outputs = await state.deregister(try event.payload(ClusterDeregistrationRequested.self))
        default: return
        }
        for output in outputs {
            switch output {
            case .registered(let fact):
                logger.info("cluster registered or changed", metadata: ["cluster": "\(fact.cluster.name)", "generation": "\(fact.generation)"])
                try await publisher.publish(fact)
            case .rejected(let fact):
                logger.warning("registration rejected", metadata: ["cluster": "\(fact.cluster)", "reasons": "\(fact.errors.map(\.description))"])
                try await publisher.publish(fact)
            case .deregistered(let fact):
                try await publisher.publish(fact)
            }
        }
    }
}

/// The registry's state behind an actor, so the handler can run on any task.
actor RegistryState {
    private var registry = ClusterRegistry()

    func register(_ request: ClusterRegistrationRequested) -> [ClusterRegistry.Output] { registry.register(request, now: Date()) }
    func heartbeat(_ beat: ClusterHeartbeat) -> [ClusterRegistry.Output] { registry.heartbeat(beat, now: Date()) }
    func deregister(_ request: ClusterDeregistrationRequested) -> [ClusterRegistry.Output] { registry.deregister(request) }
    func expireLeases(leaseDuration: TimeInterval) -> [ClusterRegistry.Output] { registry.expireLeases(now: Date(), leaseDuration: leaseDuration) }
}
