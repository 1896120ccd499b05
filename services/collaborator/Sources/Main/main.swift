import Collaborator
import Shared

await ServiceMain.run(name: "collaborator") { source, logger in
    let configuration = try CollaboratorConfiguration(source: source)
    let producer = try KafkaProducer(configuration: configuration.hub.kafka, logger: logger)
    let publisher = EventPublisher(producer: producer, topicPrefix: configuration.hub.topicPrefix, source: "flotilla/collaborator/\(configuration.registration.name)")
    return [
        producer,
        HeartbeatService(configuration: configuration, publisher: publisher, logger: logger),
        CollaboratorService(configuration: configuration, publisher: publisher, logger: logger),
    ]
}
