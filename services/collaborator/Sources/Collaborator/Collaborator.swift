import Logging
import ServiceLifecycle
import Shared

/// Builds a collaborator agent exactly as production runs it; the executable and the tests call this.
public enum Collaborator {
    /// The producer (first, so it stops last), the heartbeat (registration, lease), the watch
    /// on the hub's answer to the registration, and the trainer.
    public static func services(configuration: CollaboratorConfiguration, logger: Logger) throws -> [any Service] {
        let (producer, publisher) = try EventPublisher.make(
            configuration: configuration.hub, source: "flotilla/collaborator/\(configuration.registration.name)", logger: logger
        )
        let ledger = RegistrationLedger()
        let identity = try AgentIdentity.load(configuration: configuration)
        return [
            producer,
            HeartbeatService(configuration: configuration, publisher: publisher, logger: logger, ledger: ledger, identity: identity),
            RegistrationWatch(configuration: configuration, ledger: ledger, logger: logger, identity: identity),
            CollaboratorService(configuration: configuration, publisher: publisher, logger: logger),
        ]
    }
}
