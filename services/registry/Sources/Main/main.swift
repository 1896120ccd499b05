import Registry
import Shared

await ServiceMain.run(name: "registry") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-registry")
    let producer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
    let publisher = EventPublisher(producer: producer, topicPrefix: configuration.topicPrefix, source: "flotilla/registry")
    return [producer, RegistryService(configuration: configuration, publisher: publisher, logger: logger)]
}
