import Foundation
import Logging
import ServiceLifecycle
import Shared

/// Follows the registry's answers about this cluster on `flotilla.clusters`: says once when the
/// registration was accepted, and stops the agent (exit non-zero, for its supervisor) when one
/// of its own requests was rejected, naming every reason. Before this an agent whose claims
/// were refused only logged "registration sent" and idled for ever.
public struct RegistrationWatch: Service {
    let configuration: CollaboratorConfiguration
    let ledger: RegistrationLedger
    let logger: Logger
    /// Takes the certificates the hub issues to this cluster's key.
    let identity: AgentIdentity?

    public init(configuration: CollaboratorConfiguration, ledger: RegistrationLedger, logger: Logger, identity: AgentIdentity? = nil) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
        self.identity = identity
    }

    public func run() async throws {
        let name = configuration.registration.name
        let consumer = try KafkaConsumer(
            configuration: configuration.hub.kafka, groupID: "flotilla-collaborator-\(name)-registration",
            subscription: .assignAll(topics: [configuration.hub.topic(.clusters)], start: .beginning), logger: logger
        )
        do {
            try await cancelWhenGracefulShutdown {
                for try await message in consumer.messages where message.key.map({ String(decoding: $0, as: UTF8.self) }) == name {
                    try await handle(message)
                }
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Other services dead-letter what is not a valid event; the watch only skips it.
    private func handle(_ message: KafkaConsumerMessage) async throws {
        guard let event = try? ConsumedEvent(message: message, topicPrefix: configuration.hub.topicPrefix) else { return }
        switch event.envelope.type {
        case .clusterRegistered:
            guard let fact = try? event.payload(ClusterRegistered.self), fact.cluster.declares(configuration.registration) else { return }
            if await ledger.accepted(generation: fact.generation) {
                logger.info("registration accepted", metadata: ["cluster": "\(fact.cluster.name)", "generation": "\(fact.generation)"])
            }
        case .clusterCertificateIssued:
            guard let identity, let issued = try? event.payload(ClusterCertificateIssued.self) else { return }
            if try await identity.accept(issued) {
                logger.info("certificate received", metadata: ["cluster": "\(issued.cluster)", "serial": "\(issued.serial)", "notValidAfter": "\(EventEnvelope.formatTime(issued.notValidAfter))"])
            }
        case .clusterRegistrationRejected:
            guard let rejection = try? event.payload(ClusterRegistrationRejected.self),
                  let id = rejection.requestID, await ledger.sent(id) else { return }
            let reasons = rejection.errors.map(\.description)
            logger.critical("registration rejected by the hub", metadata: ["cluster": "\(rejection.cluster)", "reasons": "\(reasons)"])
            throw RegistrationRejected(cluster: rejection.cluster, reasons: reasons)
        default:
            return
        }
    }
}

/// The registration requests this agent sent, and whether the hub accepted one yet.
public actor RegistrationLedger {
    private var requests: Set<String> = []
    private var acceptedGeneration: Int?

    public init() {}

    func record(_ id: String) { requests.insert(id) }
    func sent(_ id: String) -> Bool { requests.contains(id) }

    /// True the first time (and whenever the generation moves on), so acceptance is said once.
    func accepted(generation: Int) -> Bool {
        defer { acceptedGeneration = max(acceptedGeneration ?? 0, generation) }
        return acceptedGeneration.map { generation > $0 } ?? true
    }
}

/// The hub refused this cluster's registration: the agent cannot take part until its
/// configuration is fixed, so it stops and says why.
public struct RegistrationRejected: Error, CustomStringConvertible {
    public var cluster: String
    public var reasons: [String]
    public var description: String { "the hub rejected the registration of cluster \(cluster): \(reasons.joined(separator: "; "))" }
}

extension ManagedCluster {
    /// Whether this registry snapshot holds what the agent declares (taints are the hub's).
    func declares(_ registration: ClusterRegistration) -> Bool {
        name == registration.name && labels == registration.labels && claims == registration.claims
            && resources == registration.resources && scores == registration.scores
    }
}
