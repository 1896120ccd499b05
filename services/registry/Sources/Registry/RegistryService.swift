import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Consumes agents' commands from `flotilla.registrations` and publishes the resulting
/// facts on `flotilla.clusters`.
///
/// At every start it rebuilds the fleet from the log (its own facts, then the commands at
/// their event times, see ``RegistryReplay``), publishing nothing while it reads, then publishes
/// only what differs from the last logged facts and continues live past the replay.
public struct RegistryService: Service {
    let configuration: HubConfiguration
    /// The broker connection `run()` consumes and replays with (nil: handling only, in process).
    let publisher: EventPublisher?
    /// Where facts are published: the broker, or its in-memory twin.
    let sink: any EventSink
    let lease: LeaseSettings
    let logger: Logger
    let state = RegistryState()
    /// Tells the lease monitor when this registry has read every command sent before a check
    /// (nil in process, where every command is handled before the check that follows it).
    let catchUp: ConsumerCatchUp?

    public init(configuration: HubConfiguration, publisher: EventPublisher, lease: LeaseSettings = LeaseSettings(), logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.sink = publisher
        self.lease = lease
        self.logger = logger
        self.catchUp = ConsumerCatchUp(configuration: configuration, producer: publisher.producer, logger: logger)
    }

    /// The service's handling over an in-memory sink, for in-process tests (`run()` needs a broker).
    init(configuration: HubConfiguration, sink: any EventSink, lease: LeaseSettings = LeaseSettings(), logger: Logger) {
        self.configuration = configuration
        self.publisher = nil
        self.sink = sink
        self.lease = lease
        self.logger = logger
        self.catchUp = nil
    }

    /// The lease checker that shares this registry's state; run it in the same ServiceGroup.
    public var leaseMonitor: LeaseMonitor {
        LeaseMonitor(state: state, catchUp: catchUp, sink: sink, settings: lease, logger: logger)
    }

    public func run() async throws {
        guard let publisher, let catchUp else { throw HandlingOnly() }
        let source = EventSource(service: "registry", configuration: configuration, publisher: publisher, logger: logger)
        let hooks = EventProcessor.Hooks(streamMarker: { [catchUp] in await catchUp.passed($0) })
        try await source.consume([.registrations, .clusters], from: .replay { try await rebuild(with: $0) }, hooks: hooks) { event in
            try await handle(event)
        }
    }

    /// Reads the facts, then the commands, into a fresh registry; installs it; publishes what
    /// differs from the log; returns where the replay ended.
    func rebuild(with replay: TopicReplay) async throws -> [KafkaTopicPartitionOffset] {
        let started = ContinuousClock.now
        var rebuilt = RegistryReplay()
        var ends = try await replay.replay([.clusters]) { rebuilt.apply($0) }
        let commandsReadUntil = Date.eventNow
        ends += try await replay.replay([.registrations]) { rebuilt.apply($0) }
        let (registry, outputs) = rebuilt.finish(now: .eventNow, leaseDuration: lease.duration, commandsReadUntil: commandsReadUntil)
        await state.install(registry)
        logger.info("fleet rebuilt from the log", metadata: [
            "clusters": "\(registry.entries.count)", "changed": "\(outputs.count)", "took": "\(ContinuousClock.now - started)",
        ])
        try await publish(outputs)
        return ends
    }

    func handle(_ event: ConsumedEvent) async throws {
        let outputs: [ClusterRegistry.Output]
        switch event.envelope.type {
        case .clusterRegistrationRequested:
            // A rejection names the request it answers, so the agent knows the answer is its own.
            outputs = await state.register(try event.payload(ClusterRegistrationRequested.self)).map { output in
                guard case .rejected(var fact) = output else { return output }
                fact.requestID = event.envelope.id
                return .rejected(fact)
            }
        case .clusterHeartbeat: outputs = await state.heartbeat(try event.payload(ClusterHeartbeat.self))
        case .clusterDeregistrationRequested: outputs = await state.deregister(try event.payload(ClusterDeregistrationRequested.self))
        case .clusterRegistered: outputs = await state.restore(try event.payload(ClusterRegistered.self))
        case .clusterDeregistered:
            await state.restore(try event.payload(ClusterDeregistered.self))
            outputs = []
        default: return
        }
        try await publish(outputs)
    }

    private func publish(_ outputs: [ClusterRegistry.Output]) async throws {
        for output in outputs {
            switch output {
            case .registered(let fact):
                logger.info("cluster registered or changed", metadata: ["cluster": "\(fact.cluster.name)", "generation": "\(fact.generation)", "taints": "\(fact.cluster.taints.map(\.key))"])
                try await sink.publish(fact)
            case .rejected(let fact):
                logger.warning("registration rejected", metadata: ["cluster": "\(fact.cluster)", "reasons": "\(fact.errors.map(\.description))"])
                try await sink.publish(fact)
            case .deregistered(let fact):
                logger.info("cluster deregistered", metadata: ["cluster": "\(fact.cluster)", "reason": "\(fact.reason)"])
                try await sink.publish(fact)
            }
        }
    }
}

/// The registry's state behind an actor, so the handler can run on any task. Live commands
/// are judged at processing time, at event precision.
actor RegistryState {
    private var registry = ClusterRegistry()

    func install(_ rebuilt: ClusterRegistry) { registry = rebuilt }
    func register(_ request: ClusterRegistrationRequested) -> [ClusterRegistry.Output] { registry.register(request, now: .eventNow) }
    func heartbeat(_ beat: ClusterHeartbeat) -> [ClusterRegistry.Output] { registry.heartbeat(beat, now: .eventNow) }
    func deregister(_ request: ClusterDeregistrationRequested) -> [ClusterRegistry.Output] { registry.deregister(request) }
    func restore(_ fact: ClusterRegistered) -> [ClusterRegistry.Output] { registry.restore(fact, now: .eventNow) }
    func restore(_ fact: ClusterDeregistered) { registry.restore(fact) }
    func expiredLeases(now: Date, leaseDuration: TimeInterval) -> [String] { registry.expiredLeases(now: now, leaseDuration: leaseDuration) }
    func expireLeases(now: Date, leaseDuration: TimeInterval) -> [ClusterRegistry.Output] { registry.expireLeases(now: now, leaseDuration: leaseDuration) }
}

/// `run()` of a service built for in-process handling: there is no broker to consume.
struct HandlingOnly: Error, CustomStringConvertible {
    var description: String { "this registry service was built for in-process handling; it has no broker to run on" }
}
