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
        // The registry's own facts are re-read from the beginning at every start (a replay past
        // markers), so a restart rebuilds the fleet instead of forgetting it; commands resume
        // from the committed offsets.
        let source = EventSource(service: "registry", configuration: configuration, publisher: publisher, logger: logger)
        let start: ConsumerStart = .replaying([.clusters]) { event in await restore(event) }
        try await source.consume([.registrations, .clusters], from: start) { event in
            try await handle(event)
        }
    }

    /// Restores one of the registry's own facts read back at start; nothing is published.
    /// Facts that cannot be read were dead-lettered when first consumed.
    private func restore(_ event: ConsumedEvent) async {
        switch event.envelope.type {
        case .clusterRegistered:
            guard let fact = try? event.payload(ClusterRegistered.self) else { return }
            _ = await state.restore(fact)
        case .clusterDeregistered:
            guard let fact = try? event.payload(ClusterDeregistered.self) else { return }
            await state.restore(fact)
        default: return
        }
    }

    func handle(_ event: ConsumedEvent) async throws {
        let outputs: [ClusterRegistry.Output]
        switch event.envelope.type {
        case .clusterRegistrationRequested: outputs = await state.register(try event.payload(ClusterRegistrationRequested.self))
        case .clusterHeartbeat: outputs = await state.heartbeat(try event.payload(ClusterHeartbeat.self))
        case .clusterDeregistrationRequested: outputs = await state.deregister(try event.payload(ClusterDeregistrationRequested.self))
        case .clusterRegistered: outputs = await state.restore(try event.payload(ClusterRegistered.self))
        case .clusterDeregistered:
            await state.restore(try event.payload(ClusterDeregistered.self))
            outputs = []
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
    func restore(_ fact: ClusterRegistered) -> [ClusterRegistry.Output] { registry.restore(fact, now: Date()) }
    func restore(_ fact: ClusterDeregistered) { registry.restore(fact) }
    func expireLeases(leaseDuration: TimeInterval) -> [ClusterRegistry.Output] { registry.expireLeases(now: Date(), leaseDuration: leaseDuration) }
}
