import Placement
import Shared

await ServiceMain.run(name: "placement") { source, logger in
    let configuration = try HubConfiguration(environment: source, clientID: "flotilla-placement")
    let producer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
    let publisher = EventPublisher(producer: producer, topicPrefix: configuration.topicPrefix, source: "flotilla/placement")
    return [producer, PlacementService(configuration: configuration, publisher: publisher, logger: logger)]
}
