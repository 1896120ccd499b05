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
        // Commands resume from the committed offsets; the registry's own facts are re-read from
        // the beginning at every start, so a restart rebuilds the fleet instead of forgetting it.
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        try await TopicBootstrap.ensureTopics(admin: admin, prefix: configuration.topicPrefix)
        var assignments: [KafkaTopicPartitionOffset] = []
        for (topic, start) in [(Topic.registrations, KafkaTopicPartitionOffset.stored), (.clusters, KafkaTopicPartitionOffset.beginning)] {
            let name = configuration.topic(topic)
            for partition in 0..<Int32(try await admin.partitionCount(of: name)) {
                assignments.append(KafkaTopicPartitionOffset(topic: name, partition: partition, offset: start))
            }
        }
        let consumer = try KafkaConsumer(configuration: configuration.kafka, groupID: "flotilla-registry", subscription: .assign(assignments), logger: logger)
        try await EventProcessor(consumer: consumer, publisher: publisher, service: "registry", logger: logger) { event in
            try await handle(event)
        }.runThenClose()
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
            case .rejected(var fact):
                fact.requestID = event.envelope.id  // so the agent knows the answer is to its own request
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
