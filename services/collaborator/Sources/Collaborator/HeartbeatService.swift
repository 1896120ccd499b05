import Foundation
import Logging
import ServiceLifecycle
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
    static let beatsPerRegistration = 12

    public init(configuration: CollaboratorConfiguration, publisher: EventPublisher, logger: Logger, ledger: RegistrationLedger = RegistrationLedger()) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.ledger = ledger
    }

    public func run() async throws {
        let name = configuration.registration.name
        var beat = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if beat % Self.beatsPerRegistration == 0 {
                    // Recorded before it is sent: the answer may come back before `publish` returns.
                    let id = UUID().uuidString.lowercased()
                    await ledger.record(id)
                    try await publisher.publish(ClusterRegistrationRequested(registration: configuration.registration), id: id)
                    if beat == 0 { logger.info("registration sent; waiting for the hub's answer", metadata: ["cluster": "\(name)", "claims": "\(configuration.registration.claims)"]) }
                } else {
                    try await publisher.publish(ClusterHeartbeat(cluster: name))
                }
            } catch {
                logger.warning("heartbeat failed, will retry", metadata: ["error": "\(error)"])
            }
            beat += 1
            try? await gracefulShutdown(for: configuration.heartbeatInterval)
        }
        if configuration.deregisterOnExit {
            try await publisher.publish(ClusterDeregistrationRequested(cluster: name, reason: "the agent was stopped"))
            logger.info("deregistration sent", metadata: ["cluster": "\(name)"])
        }
    }
}

private func gracefulShutdown(for duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}
