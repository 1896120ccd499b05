import Foundation
import Logging
import ServiceLifecycle
import FlotillaIdentity
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
    let state: RegistryState
    /// Tells the lease monitor when this registry has read every command sent before a check
    /// (nil in process, where every command is handled before the check that follows it).
    let catchUp: ConsumerCatchUp?

    public init(configuration: HubConfiguration, publisher: EventPublisher, lease: LeaseSettings = LeaseSettings(), identity: RegistryIdentity = .open, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.sink = publisher
        self.lease = lease
        self.logger = logger
        self.state = RegistryState(identity: identity)
        self.catchUp = ConsumerCatchUp(configuration: configuration, producer: publisher.producer, logger: logger)
    }

    /// The service's handling over an in-memory sink, for in-process tests (`run()` needs a broker).
    init(configuration: HubConfiguration, sink: any EventSink, lease: LeaseSettings = LeaseSettings(), identity: RegistryIdentity = .open, logger: Logger) {
        self.configuration = configuration
        self.publisher = nil
        self.sink = sink
        self.lease = lease
        self.logger = logger
        self.state = RegistryState(identity: identity)
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
        var rebuilt = RegistryReplay(gatekeeper: await state.emptyGatekeeper)
        var ends = try await replay.replay([.clusters]) { rebuilt.apply($0) }
        let commandsReadUntil = Date.eventNow
        ends += try await replay.replay([.registrations]) { rebuilt.apply($0) }
        let (registry, outputs) = rebuilt.finish(now: .eventNow, leaseDuration: lease.duration, commandsReadUntil: commandsReadUntil)
        await state.install(registry, gatekeeper: rebuilt.gatekeeper)
        logger.info("fleet rebuilt from the log", metadata: [
            "clusters": "\(registry.entries.count)", "changed": "\(outputs.count)", "took": "\(ContinuousClock.now - started)",
        ])
        try await publish(outputs)
        // Enrolments sent while the registry was down are answered now, as live ones are.
        for pending in rebuilt.pendingEnrollments {
            try await publish(answered(await state.register(pending.request, envelope: pending.envelope), requestID: pending.envelope.id))
        }
        return ends
    }

    func handle(_ event: ConsumedEvent) async throws {
        let outputs: [ClusterRegistry.Output]
        switch event.envelope.type {
        case .clusterRegistrationRequested:
            outputs = answered(await state.register(try event.payload(ClusterRegistrationRequested.self), envelope: event.envelope), requestID: event.envelope.id)
        case .clusterHeartbeat:
            outputs = answered(await state.heartbeat(try event.payload(ClusterHeartbeat.self), envelope: event.envelope), requestID: event.envelope.id)
        case .clusterDeregistrationRequested:
            outputs = answered(await state.deregister(try event.payload(ClusterDeregistrationRequested.self), envelope: event.envelope), requestID: event.envelope.id)
        case .bootstrapTokenIssued:
            await state.learn(try event.payload(BootstrapTokenIssued.self))
            outputs = []
        case .clusterCertificateIssued:
            await state.learn(try event.payload(ClusterCertificateIssued.self))
            outputs = []
        case .clusterRegistered: outputs = await state.restore(try event.payload(ClusterRegistered.self))
        case .clusterDeregistered:
            await state.restore(try event.payload(ClusterDeregistered.self))
            outputs = []
        default: return
        }
        try await publish(outputs)
    }

    /// A rejection names the request it answers, so the agent knows the answer is its own.
    private func answered(_ outputs: [ClusterRegistry.Output], requestID: String) -> [ClusterRegistry.Output] {
        outputs.map { output in
            switch output {
            case .rejected(var fact):
                fact.requestID = requestID
                return .rejected(fact)
            case .certificateIssued(var fact):
                fact.requestID = requestID
                return .certificateIssued(fact)
            default: return output
            }
        }
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
            case .certificateIssued(let fact):
                logger.info("certificate issued", metadata: [
                    "cluster": "\(fact.cluster)", "serial": "\(fact.serial)", "notValidAfter": "\(EventEnvelope.formatTime(fact.notValidAfter))",
                    "renewal": "\(fact.tokenID == nil)",
                ])
                try await sink.publish(fact)
            }
        }
    }
}

/// The registry's state behind an actor, so the handler can run on any task. Live commands
/// are judged at processing time, at event precision.
actor RegistryState {
    private var registry = ClusterRegistry()
    private var gatekeeper: ClusterGatekeeper
    private let identity: RegistryIdentity

    init(identity: RegistryIdentity) {
        self.identity = identity
        self.gatekeeper = ClusterGatekeeper(mode: identity.mode)
    }

    var emptyGatekeeper: ClusterGatekeeper { ClusterGatekeeper(mode: identity.mode) }

    func install(_ rebuilt: ClusterRegistry, gatekeeper: ClusterGatekeeper) {
        registry = rebuilt
        self.gatekeeper = gatekeeper
    }

    func register(_ request: ClusterRegistrationRequested, envelope: EventEnvelope) -> [ClusterRegistry.Output] {
        let now = Date.eventNow, name = request.registration.name
        switch gatekeeper.judge(envelope, cluster: name, registration: request.registration, enrollment: request.enrollment, now: now) {
        case .refuse(let error):
            return [.rejected(ClusterRegistrationRejected(cluster: name, errors: [error]))]
        case .admit:
            return registry.register(request, now: now)
        case .enrol(let csr, let tokenID):
            // A registration the registry would refuse spends no token.
            let problems = RegistrationValidator.problems(with: request.registration)
            guard problems.isEmpty else { return [.rejected(ClusterRegistrationRejected(cluster: name, errors: problems))] }
            guard let authority = identity.authority else {
                return [.rejected(ClusterRegistrationRejected(cluster: name, errors: [FieldError(field: "enrollment", problem: "this hub has no certificate authority")]))]
            }
            do {
                let issued = try authority.issue(csrPEM: csr, cluster: name, lifetime: identity.certificateLifetime, now: now)
                let fact = ClusterCertificateIssued(
                    cluster: name, certificate: issued.pem, serial: issued.serial, notValidAfter: issued.notValidAfter, tokenID: tokenID, requestID: envelope.id
                )
                gatekeeper.learn(fact)
                return [.certificateIssued(fact)] + registry.register(request, now: now)
            } catch {
                return [.rejected(ClusterRegistrationRejected(cluster: name, errors: [FieldError(field: "enrollment.csr", problem: error.description)]))]
            }
        }
    }

    func heartbeat(_ beat: ClusterHeartbeat, envelope: EventEnvelope) -> [ClusterRegistry.Output] {
        let now = Date.eventNow
        if case .refuse(let error) = gatekeeper.judge(envelope, cluster: beat.cluster, now: now) {
            return [.rejected(ClusterRegistrationRejected(cluster: beat.cluster, errors: [error]))]
        }
        return registry.heartbeat(beat, now: now)
    }

    func deregister(_ request: ClusterDeregistrationRequested, envelope: EventEnvelope) -> [ClusterRegistry.Output] {
        if case .refuse(let error) = gatekeeper.judge(envelope, cluster: request.cluster, now: .eventNow) {
            return [.rejected(ClusterRegistrationRejected(cluster: request.cluster, errors: [error]))]
        }
        let outputs = registry.deregister(request)
        if !outputs.isEmpty { gatekeeper.left(request.cluster) }
        return outputs
    }

    func learn(_ issued: BootstrapTokenIssued) { gatekeeper.learn(issued) }
    func learn(_ issued: ClusterCertificateIssued) { gatekeeper.learn(issued) }
    func restore(_ fact: ClusterRegistered) -> [ClusterRegistry.Output] { registry.restore(fact, now: .eventNow) }
    func restore(_ fact: ClusterDeregistered) {
        registry.restore(fact)
        gatekeeper.left(fact.cluster)
    }
    func expiredLeases(now: Date, leaseDuration: TimeInterval) -> [String] { registry.expiredLeases(now: now, leaseDuration: leaseDuration) }
    func expireLeases(now: Date, leaseDuration: TimeInterval) -> [ClusterRegistry.Output] { registry.expireLeases(now: now, leaseDuration: leaseDuration) }
}

/// How the registry authenticates agents: the mode, and in `certificates` mode the hub's CA
/// and the lifetime of the certificates it issues.
public struct RegistryIdentity: Sendable {
    public var mode: ClusterGatekeeper.Mode
    public var authority: HubAuthority?
    public var certificateLifetime: TimeInterval

    public static let open = RegistryIdentity(mode: .open, authority: nil, certificateLifetime: 86_400)

    public init(mode: ClusterGatekeeper.Mode, authority: HubAuthority?, certificateLifetime: TimeInterval) {
        self.mode = mode
        self.authority = authority
        self.certificateLifetime = certificateLifetime
    }
}

/// `run()` of a service built for in-process handling: there is no broker to consume.
struct HandlingOnly: Error, CustomStringConvertible {
    var description: String { "this registry service was built for in-process handling; it has no broker to run on" }
}
