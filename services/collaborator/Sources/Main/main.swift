import Collaborator
import Shared

await ServiceMain.run(name: "collaborator") { source, logger in
    let configuration = try CollaboratorConfiguration(source: source)
    let (producer, publisher) = try EventPublisher.make(configuration: configuration.hub, source: "flotilla/collaborator/\(configuration.registration.name)", logger: logger)
    let ledger = RegistrationLedger()
    return [
        producer,
        LogIdentityWatch(configuration: configuration.hub.kafka, logger: logger),
        HeartbeatService(configuration: configuration, publisher: publisher, logger: logger, ledger: ledger),
        RegistrationWatch(configuration: configuration, ledger: ledger, logger: logger),
        CollaboratorService(configuration: configuration, publisher: publisher, logger: logger),
    ]
}
