import Foundation
import Logging
import ServiceLifecycle
import FlotillaIdentity
import Shared

/// Registers the cluster, then renews its lease on an interval until shutdown. The full
/// registration is re-sent now and then: the registry ignores an unchanged one, and a
/// registry that lost its state learns the cluster again.
public struct HeartbeatService: Service {
    let configuration: CollaboratorConfiguration
    let publisher: EventPublisher
    let logger: Logger
    /// Where the ids of registration requests go, so the hub's answer can be matched to them.
    let ledger: RegistrationLedger
    /// The cluster's key and certificate (nil: an open hub, commands go unsigned).
    let identity: AgentIdentity?
    static let beatsPerRegistration = 12

    public init(
        configuration: CollaboratorConfiguration, publisher: EventPublisher, logger: Logger, ledger: RegistrationLedger = RegistrationLedger(),
        identity: AgentIdentity? = nil
    ) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.ledger = ledger
        self.identity = identity
    }

    public func run() async throws {
        let name = configuration.registration.name
        var beat = 0
        /// An enrolment sent and not answered yet: sent again as it is (same id, same proof),
        /// which the hub answers once, never spending the token twice.
        var enrolment: EventEnvelope?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let identity, enrolment != nil, await identity.holdsCertificate(), try await identity.enrollmentDue(for: configuration.registration) == nil {
                    enrolment = nil
                    beat = 0  // registered with the new certificate: a signed registration next
                }
                if let pending = enrolment {
                    try await publisher.publish(pending)
                } else if let identity, let due = try await identity.enrollmentDue(for: configuration.registration) {
                    let request = await identity.sign(ClusterRegistrationRequested(registration: configuration.registration, enrollment: due).envelope(source: publisher.source))
                    await ledger.record(request.id)
                    try await publisher.publish(request)
                    enrolment = request
                    logger.info(due.tokenID == nil ? "certificate renewal requested" : "enrolment sent with the bootstrap token; waiting for a certificate", metadata: ["cluster": "\(name)"])
                } else if beat % Self.beatsPerRegistration == 0 {
                    // Recorded before it is sent: the answer may come back before `publish` returns.
                    let request = await signed(ClusterRegistrationRequested(registration: configuration.registration))
                    await ledger.record(request.id)
                    try await publisher.publish(request)
                    if beat == 0 { logger.info("registration sent; waiting for the hub's answer", metadata: ["cluster": "\(name)", "claims": "\(configuration.registration.claims)"]) }
                } else {
                    try await publisher.publish(await signed(ClusterHeartbeat(cluster: name)))
                }
            } catch let error as IdentityError {
                logger.critical("cannot authenticate to the hub", metadata: ["cluster": "\(name)", "reason": "\(error)"])
                throw error
            } catch {
                logger.warning("heartbeat failed, will retry", metadata: ["error": "\(error)"])
            }
            beat += 1
            try? await gracefulShutdown(for: configuration.heartbeatInterval)
        }
        if configuration.deregisterOnExit {
            try await publisher.publish(await signed(ClusterDeregistrationRequested(cluster: name, reason: "the agent was stopped")))
            logger.info("deregistration sent", metadata: ["cluster": "\(name)"])
        }
    }

    /// The command's envelope, signed with the cluster's certificate when it has one.
    private func signed(_ payload: some EventPayload) async -> EventEnvelope {
        let envelope = payload.envelope(source: publisher.source)
        guard let identity else { return envelope }
        return await identity.sign(envelope)
    }
}

private func gracefulShutdown(for duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}
