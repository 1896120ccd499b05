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
    static let beatsPerRegistration = 12

    public init(configuration: CollaboratorConfiguration, publisher: EventPublisher, logger: Logger) {
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
    }

    public func run() async throws {
        let name = configuration.registration.name
        var beat = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if beat % Self.beatsPerRegistration == 0 {
                    try await publisher.publish(ClusterRegistrationRequested(registration: configuration.registration))
                    if beat == 0 { logger.info("registration sent", metadata: ["cluster": "\(name)", "claims": "\(configuration.registration.claims)"]) }
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
